import { loadEngines } from '../audio/models/loadEngines.js';
import { formatTable } from './formatTable.js';
import { parseCommandLine } from './parseCommandLine.js';
import { connect, readLogin } from './remoteLogin.js';
import { shippedModelsDir } from '../audio/models/shippedModelsDir.js';
import { modelDirsOf, modelsDirOf } from './runSeparateCommand.js';

const usage = `Usage: stemline models [--local] [--models-dir <dir>] [--json]

Signed in (stemline login, or STEMLINE_API_KEY set): the models the server runs (GET /models).
Otherwise, or with --local: the models this installation runs, with each model's variants, the
learned model files that loaded, and every file that did not, with the reason.

Options:
  --local            this installation, even when signed in to a server
  --url, --api-key   the server and key (default: stemline login, STEMLINE_URL, STEMLINE_API_KEY)
  --models-dir <dir> folder of learned models (default: $STEMLINE_MODELS_DIR, else ./data/models)
  --json             one JSON object on stdout (for scripts)
  -h, --help         show this help`;

/** `stemline models`: the signed-in server's models, or what is installed here, as the service would see it at start. */
export async function runModelsCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parseCommandLine(argv, {
    'models-dir': { type: 'string' },
    local: { type: 'boolean', default: false },
    url: { type: 'string' },
    'api-key': { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const login = values.local ? null : await readLogin(values, env);
  if (login) {
    const models = await connect(login.url, login.apiKey, login.source).models.list();
    process.stdout.write(values.json ? `${JSON.stringify({ url: login.url, models })}\n` : `models of ${login.url}:\n${formatTable(models.map((m) => ({
      id: m.id, name: m.name, creditsPerMinute: m.creditsPerMinute, residual: m.residual, variants: m.variants.join(',') || '', outputFormats: m.outputFormats.join(','),
    })))}\n`);
    return 0;
  }
  const dir = modelsDirOf(values['models-dir'] ?? null, env);
  const silent = { info: () => undefined, warn: () => undefined };
  const { models, problems, catalogue } = await loadEngines(modelDirsOf(values['models-dir'] ?? null, env), {}, silent);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({
      modelsDir: dir,
      models: catalogue.models.map((m) => ({ id: m.id, variants: m.variants, default: catalogue.choose(m.id, null).engine })),
      installed: models.map((m) => ({ name: m.name, contract: m.contract, variant: m.variant, serves: m.models, stems: m.stems, sampleRate: m.sampleRate, quality: m.quality, default: m.isDefault, shipped: m.path.startsWith(shippedModelsDir), file: m.file, sizeBytes: m.sizeBytes })),
      problems,
    })}\n`);
    return 0;
  }
  const lines = ['models (GET /models):'];
  for (const m of catalogue.models) {
    lines.push(`  ${m.id.padEnd(13)} default ${catalogue.choose(m.id, null).engine.padEnd(24)} variants: ${m.variants.join(', ') || '(none)'}`);
  }
  lines.push(`learned models in ${dir}:`);
  if (models.length === 0) lines.push('  (none; docs/models.md says how to install UVR MDX-Net and Demucs ONNX files)');
  for (const m of models) {
    lines.push(`  ${m.name}  ${m.contract}, variant ${m.variant}, serves ${m.models.join(', ')}, ${(m.sizeBytes / 1e6).toFixed(1)} MB${m.quality !== null ? `, ${m.quality} dB` : ''}`);
  }
  for (const p of problems) lines.push(`  not loaded: ${p.file}: ${p.reason}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
