import { useState } from 'preact/hooks';
import { api, type ApiKey, type IssuedApiKey } from './api.js';
import { Action, Empty, ErrorBox, Loading, useLoad, when } from './ui.js';

/**
 * A client's API keys: the list (prefixes only), revoke, and create (the new key is shown once).
 * Serves Settings (the caller's own keys) and Admin (any client's keys).
 */
export function KeyManager({ paths, currentKeyId, confirmRevoke, createKind }: {
  paths: { list: string; create: string; revoke: (id: string) => string };
  /** The key of this session: marked, and not revocable from here. */
  currentKeyId?: string;
  confirmRevoke?: boolean;
  createKind?: 'secondary';
}) {
  const keys = useLoad(() => api<ApiKey[]>('GET', paths.list), [paths.list]);
  const [created, setCreated] = useState<string | null>(null);
  return (
    <>
      {created && <div class="alert ok" role="status">New key, shown this once: <span class="secret" data-new-key>{created}</span></div>}
      {keys.error && <ErrorBox message={keys.error} retry={keys.reload} />}
      {keys.loading && !keys.data && <Loading what="keys" />}
      {keys.data && keys.data.length === 0 && <Empty>No keys yet.</Empty>}
      {keys.data && keys.data.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead><tr><th>Prefix</th><th>Created</th><th>State</th><th /></tr></thead>
            <tbody>
              {keys.data.map((k) => (
                <tr key={k.id}>
                  <td><code>{k.prefix}…</code>{k.admin && ' (admin)'}{k.id === currentKeyId && ' (this session)'}</td>
                  <td>{when(k.createdAt)}</td>
                  <td>{k.revokedAt ? `revoked ${when(k.revokedAt)}` : 'active'}</td>
                  <td>{!k.revokedAt && k.id !== currentKeyId && <Action label="Revoke" kind="danger" run={async () => {
                    if (confirmRevoke && !confirm(`Revoke ${k.prefix}…? Programs using it stop working at once.`)) return;
                    await api('DELETE', paths.revoke(k.id));
                    await keys.reload();
                  }} />}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p><Action label="Create key" kind={createKind} run={async () => {
        const key = await api<IssuedApiKey>('POST', paths.create);
        setCreated(key.key ?? null);
        await keys.reload();
      }} /></p>
    </>
  );
}
