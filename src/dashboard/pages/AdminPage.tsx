import { useState } from 'preact/hooks';
import { api, type Client } from '../api.js';
import { KeyManager } from '../KeyManager.js';
import { Action, Empty, ErrorBox, Loading, useLoad, when } from '../ui.js';

/** Administration (admin keys): clients, their credits and their keys. */
export function AdminPage() {
  const clients = useLoad(() => api<Client[]>('GET', '/admin/clients'), []);
  const [name, setName] = useState('');
  const [credits, setCredits] = useState('100');
  const [error, setError] = useState<string | null>(null);
  return (
    <>
      <h1>Admin</h1>
      <form class="card row" onSubmit={async (event) => {
        event.preventDefault();
        setError(null);
        try {
          await api('POST', '/admin/clients', { name, credits: credits.trim() === '' ? null : Number(credits) });
          setName('');
          await clients.reload();
        } catch (e) {
          setError((e as Error).message);
        }
      }}>
        <label>New client name<input required value={name} onInput={(e) => setName((e.target as HTMLInputElement).value)} /></label>
        <label>Credits (empty: unlimited)<input type="number" value={credits} onInput={(e) => setCredits((e.target as HTMLInputElement).value)} /></label>
        <button type="submit">Create client</button>
        {error && <ErrorBox message={error} />}
      </form>
      {clients.error && <ErrorBox message={clients.error} retry={clients.reload} />}
      {clients.loading && !clients.data && <Loading what="clients" />}
      {clients.data?.length === 0 && <Empty>No clients.</Empty>}
      {clients.data?.map((c) => <ClientCard key={c.id} client={c} onChange={clients.reload} />)}
    </>
  );
}

function ClientCard({ client, onChange }: { client: Client; onChange: () => unknown }) {
  const [open, setOpen] = useState(false);
  const [delta, setDelta] = useState('100');
  return (
    <section class="card" aria-label={`Client ${client.name}`}>
      <div class="row" style="justify-content: space-between; align-items: center">
        <span><strong>{client.name}</strong> <span class="small muted">{client.id} · since {when(client.createdAt)}</span></span>
        <span>Credits: <strong>{client.credits === null ? 'unlimited' : client.credits}</strong></span>
      </div>
      <div class="row" style="margin-top: 0.5rem">
        {client.credits !== null && (
          <>
            <label>Grant credits<input type="number" value={delta} onInput={(e) => setDelta((e.target as HTMLInputElement).value)} /></label>
            <Action label="Grant" kind="secondary" run={async () => {
              await api('POST', `/admin/clients/${client.id}/credits`, { delta: Number(delta) });
              await onChange();
            }} />
          </>
        )}
        <button class="secondary" aria-expanded={open} onClick={() => setOpen(!open)}>{open ? 'Hide keys' : 'Keys'}</button>
      </div>
      {open && (
        <div style="margin-top: 0.75rem">
          <KeyManager paths={{ list: `/admin/clients/${client.id}/keys`, create: `/admin/clients/${client.id}/keys`, revoke: (id) => `/admin/keys/${id}` }} createKind="secondary" />
        </div>
      )}
    </section>
  );
}
