import { useEffect, useRef, useState } from 'preact/hooks';
import { api, type Output, type Task } from '../api.js';
import { Chip, ErrorBox, Loading, seconds, useLoad, when } from '../ui.js';

/** One task, refreshed until every target has ended: statuses, costs, errors, players, waveforms, downloads. */
export function TaskPage({ id }: { id: string }) {
  const { data: task, error, loading, reload } = useLoad(() => api<Task>('GET', `/tasks/${encodeURIComponent(id)}`), [id],
    // Until every target has ended; after a failed refresh, try again more slowly.
    (t) => (t === undefined ? 5000 : t.completedAt === null ? 1500 : null));
  if (loading && !task) return <Loading what="the task" />;
  if (!task) return <ErrorBox message={error ?? 'No such task.'} retry={reload} />;
  return (
    <>
      <p><a href="#/tasks">← Tasks</a></p>
      <h1>{task.metadata || `Task ${task.id}`}</h1>
      {error && <ErrorBox message={`Refreshing failed: ${error}`} retry={reload} />}
      <div class="card">
        <p class="small muted">
          id {task.id} · created {when(task.createdAt)} · {task.completedAt ? `finished ${when(task.completedAt)}` : 'processing'} · input {task.assetId ? `asset ${task.assetId}` : task.url}
          {task.cost !== undefined && ` · cost ${task.cost} credits`}
        </p>
        <p class="small muted">Download links are valid for an hour; this page signs new ones each time it loads.</p>
      </div>
      {task.targets.map((target) => (
        <section class="card" key={target.id} data-target={target.model} aria-label={`${target.model} target`}>
          <h2 style="margin-top: 0">{target.model} <Chip status={target.status} /></h2>
          <p class="small muted">
            formats {target.formats.join(', ')}{target.residual ? ' · with residual' : ''}
            {target.status === 'completed' && ` · duration ${seconds(target.duration)} · cost ${target.cost} credits`}
          </p>
          {target.status === 'processing' && <p class="loading">Separating… this page updates by itself.</p>}
          {target.error && <div class="alert error" role="alert">Error {target.error.code}: {target.error.message}</div>}
          {groupByStem(target.output).map(([name, outputs]) => <Stem key={name} name={name} outputs={outputs} />)}
        </section>
      ))}
    </>
  );
}

function groupByStem(outputs: Output[]): [string, Output[]][] {
  const groups = new Map<string, Output[]>();
  for (const o of outputs) groups.set(o.name, [...(groups.get(o.name) ?? []), o]);
  return [...groups];
}

/** A stem: a player, its waveform and a download per format. */
function Stem({ name, outputs }: { name: string; outputs: Output[] }) {
  const playable = outputs.find((o) => o.format === 'mp3') ?? outputs.find((o) => o.format === 'wav') ?? outputs.find((o) => o.format === 'flac') ?? outputs[0];
  return (
    <div class="stem">
      <strong>{name}</strong>
      <audio controls preload="none" src={playable.link} aria-label={`Play ${name}`} />
      <Waveform link={playable.link} label={name} />
      <div class="row">
        {outputs.map((o) => <a key={o.format} class="button secondary" href={o.link} download={`${o.name}.${o.format}`}>Download {o.format}</a>)}
      </div>
    </div>
  );
}

/** Peaks of the decoded audio drawn on a canvas; skipped for files too large to decode in a page. */
function Waveform({ link, label }: { link: string; label: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [note, setNote] = useState<string | null>(null);
  const path = link.split('?')[0];
  useEffect(() => {
    let cancelled = false;
    (async () => {
      try {
        const head = await fetch(link, { headers: { range: 'bytes=0-0' } });
        const total = Number(head.headers.get('content-range')?.split('/')[1] ?? head.headers.get('content-length') ?? 0);
        await head.arrayBuffer();
        if (total > 80 * 1024 * 1024) return setNote('Waveform not drawn for files over 80 MB.');
        const bytes = await (await fetch(link)).arrayBuffer();
        const context = new AudioContext();
        const audio = await context.decodeAudioData(bytes);
        await context.close();
        if (cancelled || !canvas.current) return;
        draw(canvas.current, audio);
      } catch {
        if (!cancelled) setNote('Waveform unavailable for this format in this browser.');
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [path]);
  return note ? <p class="small muted">{note}</p> : <canvas class="wave" ref={canvas} width={960} height={128} role="img" aria-label={`Waveform of ${label}`} />;
}

function draw(canvas: HTMLCanvasElement, audio: AudioBuffer): void {
  const g = canvas.getContext('2d')!;
  const { width, height } = canvas;
  g.clearRect(0, 0, width, height);
  g.fillStyle = '#3b5bdb';
  const channels = Array.from({ length: audio.numberOfChannels }, (_, c) => audio.getChannelData(c));
  const length = channels[0].length;
  const step = Math.max(1, Math.floor(length / width));
  const peaks = new Float32Array(width);
  for (let x = 0; x < width; x++) {
    let peak = 0;
    for (const channel of channels) for (let i = x * step, end = Math.min(length, i + step); i < end; i++) peak = Math.max(peak, Math.abs(channel[i]));
    peaks[x] = peak;
  }
  // Scaled to the loudest moment, so quiet stems are readable too.
  const loudest = Math.max(1e-6, ...peaks);
  for (let x = 0; x < width; x++) {
    const h = Math.max(1, (peaks[x] / loudest) * (height - 4));
    g.fillRect(x, (height - h) / 2, 1, h);
  }
}
