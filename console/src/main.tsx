import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Link } from './components/link.js';
import { api, ApiError, credentials } from './lib/api.js';
import { navigate, useLocation } from './lib/router.js';
import type { Session, SignedInSession } from './lib/types.js';
import { useApi } from './lib/use-api.js';
import { EventDetailPage } from './pages/event-detail.js';
import { EventsPage } from './pages/events.js';
import { FailuresPage } from './pages/failures.js';
import { LivePage } from './pages/live.js';
import { OverviewPage } from './pages/overview.js';
import { SubscriptionsPage } from './pages/subscriptions.js';
import './styles.css';

type SessionState =
  | { kind: 'loading' }
  | { kind: 'signed-in'; session: SignedInSession }
  | { kind: 'needs-key'; error?: string };

function App() {
  const [state, setState] = useState<SessionState>({ kind: 'loading' });
  const [round, setRound] = useState(0);
  useEffect(() => {
    // GET /api/session answers 200 with or without a key: no 401 in the browser's console.
    api<Session>('session').then(
      (session) => {
        if (session.signedIn) {
          setState({
            kind: 'signed-in',
            session: {
              keysRequired: session.keysRequired,
              tenantId: session.tenantId ?? '',
              operator: session.operator === true,
            },
          });
          return;
        }
        const hadKey = credentials.key() !== null;
        if (hadKey) credentials.signOut();
        setState({ kind: 'needs-key', error: hadKey ? session.problem : undefined });
      },
      (error: unknown) => {
        // 400 or 403: the chosen tenant is not a tenant name, or not this key's: forget it.
        if (error instanceof ApiError && (error.status === 400 || error.status === 403)) {
          credentials.chooseTenant(null);
        }
        setState({ kind: 'needs-key', error: (error as Error).message });
      },
    );
  }, [round]);
  const refresh = () => setRound((n) => n + 1);

  if (state.kind === 'loading') return <p class="loading">Loading…</p>;
  if (state.kind === 'needs-key') return <SignIn error={state.error} onSignedIn={refresh} />;
  return <Shell session={state.session} onSessionChange={refresh} />;
}

function SignIn(props: { error?: string; onSignedIn: () => void }) {
  const [key, setKey] = useState('');
  return (
    <main class="sign-in">
      <h1>flowflex-events</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          credentials.signIn(key.trim());
          props.onSignedIn();
        }}
      >
        <label>
          <span>API key</span>
          <input
            name="apiKey"
            type="password"
            autocomplete="off"
            required
            value={key}
            onInput={(e) => setKey(e.currentTarget.value)}
          />
        </label>
        <button type="submit" class="primary">
          Sign in
        </button>
        {props.error && (
          <p class="error" role="alert">
            {props.error}
          </p>
        )}
        <p class="hint">
          The key stays in this tab only (sessionStorage) and is sent as a Bearer token.
        </p>
      </form>
    </main>
  );
}

const NAV = [
  { path: '', label: 'Overview' },
  { path: 'events', label: 'Events' },
  { path: 'failures', label: 'Failures' },
  { path: 'live', label: 'Live tail' },
  { path: 'subscriptions', label: 'Subscriptions', operator: true },
];

function Shell(props: { session: SignedInSession; onSessionChange: () => void }) {
  const here = useLocation();
  const { session } = props;
  const section = here.path.split('/')[0];
  return (
    <>
      {!session.keysRequired && (
        <div class="banner" role="note">
          Open access: API_KEYS is not set, so anyone who reaches this service may read and change
          every tenant's events.
        </div>
      )}
      <header class="top">
        <strong class="brand">flowflex-events</strong>
        <nav aria-label="console">
          {NAV.filter((item) => !item.operator || session.operator).map((item) => (
            <Link
              key={item.path}
              to={item.path || './'}
              class={section === item.path ? 'active' : ''}
            >
              {item.label}
            </Link>
          ))}
        </nav>
        <div class="who">
          {session.operator ? (
            <TenantSwitcher tenant={session.tenantId} onChange={props.onSessionChange} />
          ) : (
            <span data-testid="tenant">tenant {session.tenantId}</span>
          )}
          {session.keysRequired && (
            <button
              type="button"
              onClick={() => {
                credentials.signOut();
                props.onSessionChange();
              }}
            >
              Sign out
            </button>
          )}
        </div>
      </header>
      <main key={session.tenantId}>
        <Page path={here.path} query={here.query} operator={session.operator} />
      </main>
    </>
  );
}

function TenantSwitcher(props: { tenant: string; onChange: () => void }) {
  const tenants = useApi<{ tenants: string[] }>('tenants');
  const [value, setValue] = useState(props.tenant);
  return (
    <form
      class="tenant-switcher"
      onSubmit={(e) => {
        e.preventDefault();
        credentials.chooseTenant(value.trim() || null);
        props.onChange();
      }}
      title="1 to 50 letters, digits, _ . : or -"
    >
      <label>
        <span>tenant</span>
        <input
          name="tenant"
          pattern="[A-Za-z0-9_.:\-]{1,50}"
          list="known-tenants"
          value={value}
          onInput={(e) => setValue(e.currentTarget.value)}
        />
      </label>
      <datalist id="known-tenants">
        {tenants.data?.tenants.map((t) => (
          <option key={t} value={t} />
        ))}
      </datalist>
      <button type="submit">Switch</button>
    </form>
  );
}

function Page(props: { path: string; query: string; operator: boolean }) {
  const [section, ...rest] = props.path.split('/');
  switch (section) {
    case '':
      return <OverviewPage />;
    case 'events':
      return rest.length > 0 ? (
        <EventDetailPage eventId={decoded(rest.join('/'))} />
      ) : (
        <EventsPage query={props.query} />
      );
    case 'failures':
      return <FailuresPage />;
    case 'live':
      return <LivePage />;
    case 'subscriptions':
      if (props.operator) return <SubscriptionsPage />;
      break;
  }
  return (
    <section>
      <h1>Not found</h1>
      <p>
        <a href="./" onClick={(e) => (e.preventDefault(), navigate('./'))}>
          Back to the overview
        </a>
      </p>
    </section>
  );
}

/** A path segment as text; one with a malformed escape (a hand-edited URL) stays as typed. */
function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

render(<App />, document.getElementById('app')!);
