import { api, type Account, type ModelDistribution, type UsageMonth } from '../api.js';
import { BarChart, Empty, ErrorBox, Loading, useLoad } from '../ui.js';


/** Credit balance, and minutes processed by month and by model (GET /tasks/statistics). */
export function UsagePage({ account }: { account: Account }) {
  const stats = useLoad(() => Promise.all([
    api<UsageMonth[]>('GET', '/tasks/statistics?name=usage'),
    api<ModelDistribution[]>('GET', '/tasks/statistics?name=distribution'),
    api<Account>('GET', '/account'),
  ]), []);
  const credits = stats.data?.[2].client.credits ?? account.client.credits;
  return (
    <>
      <h1>Usage</h1>
      <div class="card">
        <p>Credit balance: <strong data-credits>{credits === null ? 'unlimited' : credits}</strong></p>
        <p class="small muted">A completed target costs its model's credits per started minute of input; failed targets cost nothing.</p>
      </div>
      {stats.error && <ErrorBox message={stats.error} retry={stats.reload} />}
      {stats.loading && !stats.data && <Loading what="usage" />}
      {stats.data && (stats.data[0].length === 0 ? <Empty>No completed targets yet.</Empty> : (
        <>
          <section class="card">
            <h2 style="margin-top: 0">Minutes by month</h2>
            <BarChart label="Minutes processed by month" rows={stats.data[0].map((r) => ({ name: r.month, value: Number(r.totalMinutes) }))} />
          </section>
          <section class="card">
            <h2 style="margin-top: 0">Minutes by model</h2>
            <BarChart label="Minutes processed by model" rows={stats.data[1].map((r) => ({ name: r.model, value: Number(r.totalMinutes) }))} />
            <table>
              <thead><tr><th>Model</th><th>Targets</th><th>Minutes</th></tr></thead>
              <tbody>{stats.data[1].map((r) => <tr key={r.model}><td>{r.model}</td><td>{r.totalTargets}</td><td>{r.totalMinutes}</td></tr>)}</tbody>
            </table>
          </section>
        </>
      ))}
    </>
  );
}
