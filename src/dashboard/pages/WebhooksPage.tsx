import { useState } from 'preact/hooks';
import { api, type Endpoint, type Message } from '../api.js';
import { Action, Chip, Empty, ErrorBox, Loading, Pager, useLoad, when } from '../ui.js';

/** Each endpoint's messages with every attempt; failed filter, retry one, recover since a time. */
export function WebhooksPage() {
  const endpoints = useLoad(() => api<Endpoint[]>('GET', '/webhooks'), []);
  const [selected, setSelected] = useState<string | null>(null);
  if (endpoints.loading && !endpoints.data) return <Loading what="webhook endpoints" />;
  if (!endpoints.data) return <ErrorBox message={endpoints.error ?? 'Endpoints could not be loaded.'} retry={endpoints.reload} />;
  if (endpoints.data.length === 0) return <><h1>Webhooks</h1><Empty>No webhook endpoint yet. Set a Webhook URL in <a href="#/settings">Settings</a>.</Empty></>;
  const endpoint = endpoints.data.find((e) => e.id === selected) ?? endpoints.data[0];
  return (
    <>
      <h1>Webhooks</h1>
      {endpoints.data.length > 1 && (
        <label>Endpoint
          <select value={endpoint.id} onChange={(e) => setSelected((e.target as HTMLSelectElement).value)}>
            {endpoints.data.map((e) => <option key={e.id} value={e.id}>{e.url}</option>)}
          </select>
        </label>
      )}
      <Messages key={endpoint.id} endpoint={endpoint} />
    </>
  );
}

function Messages({ endpoint }: { endpoint: Endpoint }) {
  const [failedOnly, setFailedOnly] = useState(false);
  const [page, setPage] = useState(0);
  const [since, setSince] = useState(() => new Date(Date.now() - 86_400_000).toISOString().slice(0, 16));
  const [notice, setNotice] = useState<string | null>(null);
  const query = `?take=20&skip=${page * 20}${failedOnly ? '&status=failed' : ''}`;
  const messages = useLoad(() => api<Message[]>('GET', `/webhooks/${endpoint.id}/messages${query}`), [query],
    (list) => (list?.some((m) => m.status === 'pending') ? 2000 : 5000));
  return (
    <>
      <div class="card">
        <p><strong>{endpoint.url}</strong> <Chip status={endpoint.enabled ? 'enabled' : 'disabled'} /> <span class="small muted">events {endpoint.events.join(', ')}</span></p>
        {endpoint.disabledReason && <div class="alert error" role="alert">{endpoint.disabledReason} <a href="#/settings">Re-enable it in Settings</a>.</div>}
        {!endpoint.disabledReason && endpoint.failingSince && (
          <div class="alert error" role="status">Every attempt has failed since {when(endpoint.failingSince)}; the endpoint is disabled after 5 days of this (by default).</div>
        )}
        <div class="row">
          <label class="inline"><input type="checkbox" checked={failedOnly} onChange={() => { setFailedOnly(!failedOnly); setPage(0); }} /> failed only</label>
          <label>Recover failed messages since
            <input type="datetime-local" value={since} onInput={(e) => setSince((e.target as HTMLInputElement).value)} />
          </label>
          <Action label="Recover" kind="secondary" run={async () => {
            const result = await api<{ recovered: number }>('POST', `/webhooks/${endpoint.id}/recover`, { since: new Date(since).toISOString() });
            setNotice(`${result.recovered} failed message${result.recovered === 1 ? '' : 's'} will be delivered again.`);
            await messages.reload();
          }} />
        </div>
        {notice && <p class="alert info" role="status">{notice}</p>}
      </div>
      {messages.error && <ErrorBox message={messages.error} retry={messages.reload} />}
      {messages.loading && !messages.data && <Loading what="messages" />}
      {messages.data && messages.data.length === 0 && <Empty>{failedOnly ? 'No failed messages.' : 'No messages yet: one is sent each time a target completes or fails.'}</Empty>}
      {messages.data?.map((m) => (
        <div class="card" key={m.id} data-message={m.id}>
          <div class="row" style="justify-content: space-between; align-items: center">
            <span><Chip status={m.status} /> <strong>{m.event}</strong> <span class="small muted">task <a href={`#/tasks/${m.taskId}`}>{m.taskId}</a> · {when(m.createdAt)}{m.nextAttemptAt && ` · next attempt ${when(m.nextAttemptAt)}`}</span></span>
            <Action label="Retry" kind="secondary" run={async () => {
              await api('POST', `/webhooks/${endpoint.id}/messages/${m.id}/retry`);
              await messages.reload();
            }} />
          </div>
          <p class="small muted">webhook-id {m.id}</p>
          {m.attempts.length === 0 ? <p class="small muted">Not attempted yet.</p> : (
            <div class="table-wrap">
              <table>
                <thead><tr><th>#</th><th>Time</th><th>Status</th><th>Latency</th><th>Response / error</th></tr></thead>
                <tbody>
                  {m.attempts.map((a) => (
                    <tr key={a.attempt + a.at}>
                      <td>{a.attempt}</td>
                      <td>{when(a.at)}</td>
                      <td>{a.statusCode ?? '—'}</td>
                      <td>{a.durationMs} ms</td>
                      <td>{a.error && <div style="color: var(--bad)">{a.error}</div>}{a.response && <pre class="response">{a.response}</pre>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      ))}
      <Pager page={page} setPage={setPage} full={messages.data !== undefined && messages.data.length === 20} />
    </>
  );
}
