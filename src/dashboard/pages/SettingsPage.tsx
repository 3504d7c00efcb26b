import { useEffect, useState } from 'preact/hooks';
import { api, type Account, type Endpoint } from '../api.js';
import { KeyManager } from '../KeyManager.js';
import { Action, ErrorBox, Loading, useLoad, when } from '../ui.js';

const events = ['target.completed', 'target.error'];

/** Settings: the Webhook URL (the client's first endpoint), its secret, events and state; API keys. */
export function SettingsPage({ account }: { account: Account }) {
  return (
    <>
      <h1>Settings</h1>
      <WebhookSettings />
      <Keys account={account} />
    </>
  );
}

function WebhookSettings() {
  const endpoints = useLoad(() => api<Endpoint[]>('GET', '/webhooks'), []);
  const endpoint = endpoints.data?.[0] ?? null;
  const [url, setUrl] = useState('');
  const [chosen, setChosen] = useState<string[]>(events);
  const [reveal, setReveal] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    if (endpoint) {
      setUrl(endpoint.url);
      setChosen(endpoint.events);
    }
  }, [endpoint?.id, endpoint?.url, endpoint?.events.join()]);
  if (endpoints.loading && !endpoints.data) return <Loading what="the webhook settings" />;
  if (!endpoints.data) return <ErrorBox message={endpoints.error ?? 'Webhook settings could not be loaded.'} retry={endpoints.reload} />;

  const save = async (event: Event) => {
    event.preventDefault();
    setError(null);
    setNotice(null);
    try {
      if (endpoint) await api('PATCH', `/webhooks/${endpoint.id}`, { url, events: chosen });
      else await api('POST', '/webhooks', { url, events: chosen });
      setNotice('Webhook URL saved.');
      await endpoints.reload();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <section class="card" aria-labelledby="webhook-heading">
      <h2 id="webhook-heading" style="margin-top: 0">Webhook</h2>
      <p class="small muted">Each time a target completes or fails, Stemline POSTs the whole task to this URL, signed with the secret below (Standard Webhooks), and retries for 27 hours if it does not get a 2xx.</p>
      {error && <ErrorBox message={error} />}
      {notice && <p class="alert ok" role="status">{notice}</p>}
      <form onSubmit={save}>
        <label>Webhook URL
          <input type="url" name="webhookUrl" required value={url} placeholder="https://hooks.example.com/stemline" onInput={(e) => setUrl((e.target as HTMLInputElement).value)} />
        </label>
        <fieldset style="border: none; padding: 0.5rem 0">
          <legend class="small">Events</legend>
          {events.map((name) => (
            <label class="inline" key={name}>
              <input type="checkbox" checked={chosen.includes(name)} onChange={() => setChosen(chosen.includes(name) ? chosen.filter((c) => c !== name) : [...chosen, name])} />{name}
            </label>
          ))}
        </fieldset>
        <button type="submit" disabled={chosen.length === 0}>{endpoint ? 'Save' : 'Add webhook'}</button>
      </form>
      {endpoint && (
        <>
          <h2>Signing secret</h2>
          <p class="secret" aria-label="Signing secret">{reveal ? endpoint.secret : 'whsec_' + '•'.repeat(24)}</p>
          <div class="row">
            <button class="secondary" onClick={() => setReveal(!reveal)}>{reveal ? 'Hide' : 'Reveal'}</button>
            <Action label="Copy" kind="secondary" run={async () => {
              await navigator.clipboard.writeText(endpoint.secret);
              setNotice('Secret copied.');
            }} />
            <Action label="Rotate secret" kind="secondary" run={async () => {
              if (!confirm('Rotate the secret? A new secret signs every request from now on; for 24 hours the old one signs too (two signatures per request), so receivers keep verifying while you deploy the new one.')) return;
              await api('POST', `/webhooks/${endpoint.id}/rotate-secret`);
              setReveal(true);
              setNotice('New secret issued. The old one keeps signing for 24 hours.');
              await endpoints.reload();
            }} />
          </div>
          {endpoint.previousSecretExpiresAt && <p class="small muted">The previous secret also signs until {when(endpoint.previousSecretExpiresAt)}.</p>}
          <h2>Delivery</h2>
          {endpoint.disabledReason && <div class="alert error" role="alert">{endpoint.disabledReason}</div>}
          <div class="row">
            <Action label={endpoint.enabled ? 'Disable' : 'Enable'} kind={endpoint.enabled ? 'danger' : undefined} run={async () => {
              await api('PATCH', `/webhooks/${endpoint.id}`, { enabled: !endpoint.enabled });
              await endpoints.reload();
            }} />
            <Action label="Send test" kind="secondary" run={async () => {
              await api('POST', `/webhooks/${endpoint.id}/test`);
              setNotice('A webhook.test message is on its way; see it in Webhooks.');
            }} />
            <a href="#/webhooks">Message log</a>
          </div>
        </>
      )}
    </section>
  );
}

function Keys({ account }: { account: Account }) {
  return (
    <section class="card" aria-labelledby="keys-heading">
      <h2 id="keys-heading" style="margin-top: 0">API keys</h2>
      <KeyManager paths={{ list: '/keys', create: '/keys', revoke: (id) => `/keys/${id}` }} currentKeyId={account.key?.id} confirmRevoke />
    </section>
  );
}
