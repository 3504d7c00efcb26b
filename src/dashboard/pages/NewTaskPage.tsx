import { useState } from 'preact/hooks';
import { api, upload, type Model, type Task } from '../api.js';
import { go } from '../navigate.js';
import { ErrorBox, Loading, useLoad } from '../ui.js';

interface Choice { formats: string[]; residual: boolean; variant: string }

/** New task: upload by drag-and-drop (with progress) or give a URL, pick targets and formats, submit. */
export function NewTaskPage() {
  const models = useLoad(() => api<{ models: Model[] }>('GET', '/models'), []);
  const [file, setFile] = useState<File | null>(null);
  const [url, setUrl] = useState('');
  const [over, setOver] = useState(false);
  const [choices, setChoices] = useState<Record<string, Choice>>({});
  const [metadata, setMetadata] = useState('');
  const [progress, setProgress] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (models.loading && !models.data) return <Loading what="models" />;
  if (!models.data) return <ErrorBox message={models.error ?? 'Models could not be loaded.'} retry={models.reload} />;
  const picked = Object.entries(choices).filter(([, c]) => c.formats.length > 0);
  const toggle = (model: Model, format: string) => {
    const current = choices[model.id] ?? { formats: [], residual: false, variant: '' };
    const formats = current.formats.includes(format) ? current.formats.filter((f) => f !== format) : [...current.formats, format];
    setChoices({ ...choices, [model.id]: { ...current, formats } });
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    setError(null);
    if (!file && !url.trim()) return setError('Choose a file or give a URL.');
    if (picked.length === 0) return setError('Pick at least one target and one format.');
    setBusy(true);
    try {
      const input: Record<string, string> = {};
      if (file) {
        setProgress(0);
        const asset = await upload<{ id: string }>('/assets', file, setProgress);
        input.assetId = asset.id;
      } else input.url = url.trim();
      const task = await api<Task>('POST', '/tasks', {
        ...input,
        targets: picked.map(([model, c]) => ({ model, formats: c.formats, ...(c.residual ? { residual: true } : {}), ...(c.variant ? { variant: c.variant } : {}) })),
        ...(metadata.trim() ? { metadata: metadata.trim() } : {}),
      });
      go(`tasks/${task.id}`);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit}>
      <h1>New task</h1>
      {error && <ErrorBox message={error} />}
      <section class="card">
        <h2 style="margin-top: 0">Input</h2>
        <label class={`drop${over ? ' over' : ''}`}
          onDragOver={(e) => { e.preventDefault(); setOver(true); }} onDragLeave={() => setOver(false)}
          onDrop={(e) => { e.preventDefault(); setOver(false); const f = e.dataTransfer?.files[0]; if (f) { setFile(f); setUrl(''); } }}>
          <span>{file ? `${file.name} (${(file.size / 1e6).toFixed(1)} MB)` : 'Drop an audio or video file here, or click to choose one'}</span>
          <input type="file" name="file" accept="audio/*,video/mp4,video/quicktime,.wav,.aiff,.aif,.flac,.mp3,.m4a,.aac,.ogg,.opus,.mp4,.mov" class="visually-hidden"
            onChange={(e) => { const f = (e.target as HTMLInputElement).files?.[0]; if (f) { setFile(f); setUrl(''); } }} />
        </label>
        {progress !== null && <p><progress value={progress} max={1} aria-label="Upload progress" /> <span class="small">{Math.round(progress * 100)}% uploaded</span></p>}
        <p class="muted small">or</p>
        <label>URL of the audio or video
          <input type="url" name="url" value={url} placeholder="https://example.com/song.mp3" onInput={(e) => { setUrl((e.target as HTMLInputElement).value); setFile(null); }} />
        </label>
      </section>
      <section class="card">
        <h2 style="margin-top: 0">Targets</h2>
        <div class="targets">
          {models.data.models.map((model) => (
            <fieldset class="target-pick" key={model.id} data-model={model.id}>
              <legend><strong>{model.name}</strong> <span class="small muted">{model.creditsPerMinute} credit/min</span></legend>
              <p class="small muted">{model.description}</p>
              <div class="row">
                {model.outputFormats.map((format) => (
                  <label class="inline" key={format}>
                    <input type="checkbox" name={`${model.id}-${format}`} checked={choices[model.id]?.formats.includes(format) ?? false} onChange={() => toggle(model, format)} />{format}
                  </label>
                ))}
              </div>
              {model.residual && (
                <label class="inline small">
                  <input type="checkbox" checked={choices[model.id]?.residual ?? false}
                    onChange={() => setChoices({ ...choices, [model.id]: { formats: choices[model.id]?.formats ?? [], variant: choices[model.id]?.variant ?? '', residual: !(choices[model.id]?.residual ?? false) } })} />
                  also the residual (everything but {model.id})
                </label>
              )}
              {model.variants.length > 0 && (
                <label class="small">Engine
                  <select name={`${model.id}-variant`} value={choices[model.id]?.variant ?? ''}
                    onChange={(e) => setChoices({ ...choices, [model.id]: { formats: choices[model.id]?.formats ?? [], residual: choices[model.id]?.residual ?? false, variant: (e.target as HTMLSelectElement).value } })}>
                    <option value="">default</option>
                    {model.variants.map((variant) => <option key={variant} value={variant}>{variant === 'high_quality' ? 'high_quality (best installed)' : variant}</option>)}
                  </select>
                </label>
              )}
            </fieldset>
          ))}
        </div>
      </section>
      <section class="card">
        <label>Metadata (optional, shown as the task's name here and returned with the task)
          <input name="metadata" maxLength={4096} value={metadata} onInput={(e) => setMetadata((e.target as HTMLInputElement).value)} />
        </label>
      </section>
      <button type="submit" disabled={busy}>{busy ? (progress !== null && progress < 1 ? 'Uploading…' : 'Creating…') : `Create task (${picked.length} target${picked.length === 1 ? '' : 's'})`}</button>
    </form>
  );
}
