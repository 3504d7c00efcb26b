import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';

/** Loads data for a page: loading, error and reload states in one place. `pollMs` refreshes it. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], pollMs?: (data: T | undefined) => number | null) {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const latest = useRef(load);
  latest.current = load;
  const reload = useCallback(async () => {
    try {
      const value = await latest.current();
      setData(value);
      setError(null);
      return value;
    } catch (e) {
      setError((e as Error).message);
      return undefined;
    } finally {
      setLoading(false);
    }
  }, []);
  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setLoading(true);
    const tick = async () => {
      const value = await reload();
      const next = pollMs?.(value);
      if (!stopped && next) timer = setTimeout(tick, next);
    };
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, deps);
  return { data, error, loading, reload, setData };
}

export function Loading({ what }: { what: string }) {
  return <p class="loading" role="status">Loading {what}…</p>;
}

export function ErrorBox({ message, retry }: { message: string; retry?: () => void }) {
  return (
    <div class="alert error" role="alert">
      {message} {retry && <button class="secondary" onClick={retry}>Try again</button>}
    </div>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <div class="empty">{children}</div>;
}

export function Chip({ status }: { status: string }) {
  return <span class={`chip ${status}`}>{status}</span>;
}

export function when(iso: string | null | undefined): string {
  return iso ? new Date(iso).toLocaleString() : '—';
}

export function seconds(value: number | undefined): string {
  if (value === undefined) return '—';
  const m = Math.floor(value / 60);
  const s = Math.round(value % 60);
  return m > 0 ? `${m} min ${s} s` : `${s} s`;
}

/** A button that runs an async action, shows it is busy and reports a failure next to it. */
export function Action({ label, run, kind, busyLabel }: { label: string; run: () => Promise<unknown>; kind?: 'secondary' | 'danger'; busyLabel?: string }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <span>
      <button class={kind ?? ''} disabled={busy} onClick={async () => {
        setBusy(true);
        setError(null);
        try {
          await run();
        } catch (e) {
          setError((e as Error).message);
        } finally {
          setBusy(false);
        }
      }}>{busy ? (busyLabel ?? `${label}…`) : label}</button>
      {error && <span class="small" role="alert" style="color: var(--bad); margin-left: 0.5rem">{error}</span>}
    </span>
  );
}

/** Simple horizontal bars, drawn as SVG (no chart library needed for two series). */
export function BarChart({ rows, label }: { rows: { name: string; value: number }[]; label: string }) {
  const max = Math.max(...rows.map((r) => r.value)) || 1;
  const height = rows.length * 28 + 8;
  return (
    <svg class="chart" viewBox={`0 0 640 ${height}`} role="img" aria-label={label}>
      {rows.map((r, i) => (
        <g key={r.name} transform={`translate(0 ${i * 28 + 4})`}>
          <text x="0" y="15">{r.name}</text>
          <rect x="110" y="2" height="18" width={Math.max(2, (r.value / max) * 440)} rx="3" />
          <text x={116 + (r.value / max) * 440} y="15">{r.value.toFixed(2)}</text>
        </g>
      ))}
    </svg>
  );
}

/** Previous / next for lists fetched a page at a time (a short page means the last one). */
export function Pager({ page, setPage, full }: { page: number; setPage: (page: number) => void; full: boolean }) {
  return (
    <div class="pager">
      <button class="secondary" disabled={page === 0} onClick={() => setPage(page - 1)}>Previous</button>
      <span class="muted small">Page {page + 1}</span>
      <button class="secondary" disabled={!full} onClick={() => setPage(page + 1)}>Next</button>
    </div>
  );
}
