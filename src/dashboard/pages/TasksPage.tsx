import { useState } from 'preact/hooks';
import { api, type Task } from '../api.js';
import { Chip, Empty, ErrorBox, Loading, Pager, useLoad, when } from '../ui.js';

const pageSize = 20;

/** Tasks, newest first, refreshed every 2 s while any is processing; filters and pages. */
export function TasksPage() {
  const [status, setStatus] = useState('');
  const [model, setModel] = useState('');
  const [after, setAfter] = useState('');
  const [before, setBefore] = useState('');
  const [page, setPage] = useState(0);
  const query = new URLSearchParams({ skip: String(page * pageSize), take: String(pageSize) });
  if (status) query.set('status', status);
  if (model) query.set('model', model);
  if (after) query.set('createdAfter', new Date(`${after}T00:00:00`).toISOString());
  // The whole "before" day is included.
  if (before) query.set('createdBefore', new Date(new Date(`${before}T00:00:00`).getTime() + 86_400_000).toISOString());
  const { data, error, loading, reload } = useLoad(() => api<Task[]>('GET', `/tasks?${query}`), [query.toString()],
    (tasks) => (tasks?.some((t) => t.completedAt === null) ? 2000 : 10_000));
  return (
    <>
      <div class="row" style="justify-content: space-between">
        <h1>Tasks</h1>
        <a class="button" href="#/new">New task</a>
      </div>
      <div class="card row" role="search">
        <label>Status
          <select value={status} onChange={(e) => { setStatus((e.target as HTMLSelectElement).value); setPage(0); }}>
            <option value="">any</option><option value="processing">processing</option><option value="completed">completed</option><option value="error">error</option>
          </select>
        </label>
        <label>Model
          <select value={model} onChange={(e) => { setModel((e.target as HTMLSelectElement).value); setPage(0); }}>
            <option value="">any</option>{['vocals', 'instrumental', 'drums', 'bass', 'other'].map((m) => <option key={m} value={m}>{m}</option>)}
          </select>
        </label>
        <label>From
          <input type="date" value={after} onChange={(e) => { setAfter((e.target as HTMLInputElement).value); setPage(0); }} />
        </label>
        <label>To
          <input type="date" value={before} onChange={(e) => { setBefore((e.target as HTMLInputElement).value); setPage(0); }} />
        </label>
      </div>
      {error && <ErrorBox message={error} retry={reload} />}
      {loading && !data && <Loading what="tasks" />}
      {data && data.length === 0 && (
        <Empty>{page > 0 || status || model || after || before ? 'No task matches these filters.' : <>No tasks yet. <a href="#/new">Create the first one</a>.</>}</Empty>
      )}
      {data && data.length > 0 && (
        <div class="card table-wrap">
          <table>
            <thead><tr><th>Task</th><th>Targets</th><th class="hide-narrow">Created</th><th class="hide-narrow">Cost</th></tr></thead>
            <tbody>
              {data.map((task) => (
                <tr key={task.id} data-task={task.id}>
                  <td><a href={`#/tasks/${task.id}`}>{task.metadata || task.id}</a></td>
                  <td>{task.targets.map((t) => <span key={t.id}><span class="small">{t.model}</span> <Chip status={t.status} /></span>)}</td>
                  <td class="hide-narrow">{when(task.createdAt)}</td>
                  <td class="hide-narrow">{task.cost ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager page={page} setPage={setPage} full={data !== undefined && data.length === pageSize} />
    </>
  );
}
