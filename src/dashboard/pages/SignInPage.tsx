import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { ErrorBox } from '../ui.js';

/** Sign in with an API key; the server answers with an HttpOnly session cookie. */
export function SignInPage({ onSignedIn }: { onSignedIn: () => void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <main class="signin">
      <h1>Sign in to Stemline</h1>
      <form class="card" onSubmit={async (event) => {
        event.preventDefault();
        setBusy(true);
        setError(null);
        try {
          await api('POST', '/session', { key });
          setKey('');
          onSignedIn();
        } catch (e) {
          setError((e as Error).message);
        } finally {
          setBusy(false);
        }
      }}>
        {error && <ErrorBox message={error} />}
        <label>API key
          <input name="key" type="password" autoComplete="off" required value={key} onInput={(e) => setKey((e.target as HTMLInputElement).value)} placeholder="sl_..." />
        </label>
        <p class="muted small">The key is exchanged for a session cookie for 12 hours and is not kept in this browser. An admin key also shows the admin pages.</p>
        <button type="submit" disabled={busy || !key}>{busy ? 'Signing in…' : 'Sign in'}</button>
      </form>
    </main>
  );
}
