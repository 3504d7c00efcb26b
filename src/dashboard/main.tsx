import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, type Account } from './api.js';
import { AdminPage } from './pages/AdminPage.js';
import { NewTaskPage } from './pages/NewTaskPage.js';
import { SettingsPage } from './pages/SettingsPage.js';
import { SignInPage } from './pages/SignInPage.js';
import { TaskPage } from './pages/TaskPage.js';
import { TasksPage } from './pages/TasksPage.js';
import { UsagePage } from './pages/UsagePage.js';
import { WebhooksPage } from './pages/WebhooksPage.js';
import { ErrorBox, Loading } from './ui.js';

/** Hash routes (#/tasks/abc): the server serves one page whatever the route. */
function useRoute(): string[] {
  const read = () => (location.hash.replace(/^#\/?/, '') || 'tasks').split('/').map(decodeURIComponent);
  const [route, setRoute] = useState(read);
  useEffect(() => {
    const onChange = () => setRoute(read());
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

function App() {
  const [account, setAccount] = useState<Account | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const route = useRoute();
  const refresh = async () => {
    try {
      const session = await api<{ signedIn: boolean }>('GET', '/session');
      setAccount(session.signedIn ? await api<Account>('GET', '/account') : null);
    } catch (e) {
      if ((e as { status?: number }).status === 401) setAccount(null);
      else setError((e as Error).message);
    }
  };
  useEffect(() => {
    void refresh();
    const signedOut = () => setAccount(null);
    window.addEventListener('stemline:signed-out', signedOut);
    return () => window.removeEventListener('stemline:signed-out', signedOut);
  }, []);
  if (error) return <main><ErrorBox message={error} retry={() => { setError(null); void refresh(); }} /></main>;
  if (account === undefined) return <main><Loading what="your account" /></main>;
  if (account === null) return <SignInPage onSignedIn={refresh} />;

  const admin = account.key?.admin ?? false;
  const pages: [string, string][] = [['tasks', 'Tasks'], ['new', 'New task'], ['webhooks', 'Webhooks'], ['usage', 'Usage'], ['settings', 'Settings'], ...(admin ? [['admin', 'Admin'] as [string, string]] : [])];
  const [page, id] = route;
  let body;
  if (page === 'tasks' && id) body = <TaskPage id={id} />;
  else if (page === 'tasks') body = <TasksPage />;
  else if (page === 'new') body = <NewTaskPage />;
  else if (page === 'webhooks') body = <WebhooksPage />;
  else if (page === 'usage') body = <UsagePage account={account} />;
  else if (page === 'settings') body = <SettingsPage account={account} />;
  else if (page === 'admin' && admin) body = <AdminPage />;
  else body = <ErrorBox message={`There is no page "${route.join('/')}".`} />;
  return (
    <>
      <header>
        <a class="brand" href="#/tasks">Stemline</a>
        <nav aria-label="Main">
          {pages.map(([path, label]) => <a key={path} href={`#/${path}`} aria-current={page === path ? 'page' : undefined}>{label}</a>)}
        </nav>
        <span class="who">{account.client.name}{admin ? ' (admin)' : ''}</span>
        <button class="secondary" onClick={async () => {
          await api('DELETE', '/session').catch(() => undefined);
          setAccount(null);
        }}>Sign out</button>
      </header>
      <main>{body}</main>
    </>
  );
}

const root = document.getElementById('app')!;
root.textContent = ''; // the static "Loading…" shown before this script ran
render(<App />, root);
