/**
 * The description of one installed learned model: `<name>.json` next to `<name>.onnx` in the models
 * directory (docs/models.md). parseManifest is pure so the format can be tested without files.
 */

/** Our stem names; a model's `stems` and a demucs model's `sources` use these. */
export const stemNames = ['vocals', 'drums', 'bass', 'other', 'guitar', 'piano', 'instrumental'] as const;

export type ModelContract = 'mdx' | 'demucs' | 'mask';

/** UVR MDX-Net: spectrogram in, complex spectrogram of the primary stem out. */
export interface MdxParameters {
  nFft: number;
  dimF: number;
  dimT: number;
  hop: number;
  compensate: number;
  primaryStem: string;
  overlap: number;
  normalizationThreshold: number;
}

/** HT-Demucs exported with the STFT outside the graph (sevagh/demucs.onnx). */
export interface DemucsParameters {
  sources: string[];
  segmentSamples: number;
  nFft: number;
  hop: number;
  overlap: number;
}

/** Our own contract: magnitude spectrogram in, one [0, 1] mask per stem out. */
export interface MaskParameters {
  nFft: number;
  hop: number;
  /** STFT frames per model segment (the ONNX time axis). */
  segmentFrames: number;
  overlap: number;
  /** Divide the masks by their sum over stems so the stems add up to the mixture. */
  sumToMixture: boolean;
}

interface ManifestBase {
  name: string;
  file: string;
  stems: string[];
  models: string[];
  variant: string;
  quality: number | null;
  /** Whether it is the engine of its model ids for targets that name no variant (docs/models.md). */
  isDefault: boolean;
  /** Its stems that the DSP engine also makes are blended with the DSP engine's: weight * model + (1 - weight) * DSP. */
  blend: { with: 'dsp'; weight: number } | null;
  sampleRate: number;
}

export type ModelManifest =
  | (ManifestBase & { contract: 'mdx'; parameters: MdxParameters })
  | (ManifestBase & { contract: 'demucs'; parameters: DemucsParameters })
  | (ManifestBase & { contract: 'mask'; parameters: MaskParameters });

type Json = Record<string, unknown>;

/** Parses and checks a manifest; the Error names the field and what is wrong with it. */
export function parseManifest(json: unknown, fileName: string): ModelManifest {
  const fail = (field: string, problem: string): never => {
    throw new Error(`${fileName}: "${field}" ${problem}`);
  };
  if (!isObject(json)) return fail('(root)', 'must be a JSON object');
  const name = string(json, 'name', fail);
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(name)) fail('name', 'may contain only letters, digits, ".", "_" and "-"');
  const contract = json.contract;
  if (contract !== 'mdx' && contract !== 'demucs' && contract !== 'mask') return fail('contract', 'must be "mdx", "demucs" or "mask"');
  const file = string(json, 'file', fail);
  if (!file.endsWith('.onnx') || /[/\\]/.test(file)) fail('file', 'must be an .onnx file name in the models directory (no path)');
  const stems = stemList(json, 'stems', fail);
  const models = json.models === undefined ? [] : stringList(json, 'models', fail);
  const variant = json.variant === undefined ? name : string(json, 'variant', fail);
  const quality = json.quality === undefined || json.quality === null ? null : number(json, 'quality', fail, { min: -100, max: 100 });
  const isDefault = json.default === undefined ? false : json.default;
  if (typeof isDefault !== 'boolean') fail('default', 'must be true or false');
  let blend: ManifestBase['blend'] = null;
  if (json.blend !== undefined && json.blend !== null) {
    if (!isObject(json.blend)) return fail('blend', 'must be an object such as {"with": "dsp", "weight": 0.5}');
    if (json.blend.with !== 'dsp') fail('blend.with', 'must be "dsp" (the only engine a model can be blended with)');
    blend = { with: 'dsp', weight: number(json.blend, 'weight', (field, problem) => fail(`blend.${field}`, problem), { min: 0, max: 1 }) };
  }
  const sampleRate = json.sampleRate === undefined ? 44100 : number(json, 'sampleRate', fail, { min: 8000, max: 192000, integer: true });
  const p = json.parameters === undefined ? {} : json.parameters;
  if (!isObject(p)) return fail('parameters', 'must be an object');
  const base = { name, file, stems, models, variant, quality, isDefault: isDefault as boolean, blend, sampleRate };
  const param = (key: string) => `parameters.${key}`;
  const pfail = (field: string, problem: string): never => fail(field.startsWith('parameters.') ? field : param(field), problem);

  if (contract === 'mdx') {
    const nFft = number(p, 'nFft', pfail, { min: 8, max: 65536, integer: true, even: true });
    const dimF = number(p, 'dimF', pfail, { min: 4, max: nFft / 2 + 1, integer: true });
    const dimT = number(p, 'dimT', pfail, { min: 2, max: 4096, integer: true });
    const hop = opt(p, 'hop', 1024, () => number(p, 'hop', pfail, { min: 1, max: nFft, integer: true }));
    const compensate = opt(p, 'compensate', 1, () => number(p, 'compensate', pfail, { min: 0.1, max: 10 }));
    const overlap = opt(p, 'overlap', 0.25, () => number(p, 'overlap', pfail, { min: 0, max: 0.99 }));
    const normalizationThreshold = opt(p, 'normalizationThreshold', 0.9, () => number(p, 'normalizationThreshold', pfail, { min: 0.01, max: 100 }));
    const primaryStem = opt(p, 'primaryStem', stems[0], () => string(p, 'primaryStem', pfail));
    if (!stems.includes(primaryStem)) pfail('primaryStem', `must be one of "stems" (${stems.join(', ')})`);
    if (stems.length > 2) fail('stems', 'of an mdx model are its primary stem and at most one more (the mixture minus it)');
    const chunk = hop * (dimT - 1);
    if (chunk <= nFft) pfail('dimT', `gives segments of ${chunk} samples, which must exceed nFft (${nFft})`);
    if (Math.floor((1 - overlap) * chunk) < 1) pfail('overlap', 'leaves no step between segments');
    return { ...base, contract, parameters: { nFft, dimF, dimT, hop, compensate, primaryStem, overlap, normalizationThreshold } };
  }
  if (contract === 'demucs') {
    const sources = p.sources === undefined ? ['drums', 'bass', 'other', 'vocals'] : stemList(p, 'sources', pfail);
    const nFft = opt(p, 'nFft', 4096, () => number(p, 'nFft', pfail, { min: 16, max: 65536, integer: true, even: true }));
    const hop = opt(p, 'hop', nFft / 4, () => number(p, 'hop', pfail, { min: 1, max: nFft, integer: true }));
    if (hop * 4 !== nFft) pfail('hop', `must be nFft / 4 (${nFft / 4}), as in HT-Demucs`);
    const segmentSamples = opt(p, 'segmentSamples', 343980, () => number(p, 'segmentSamples', pfail, { min: nFft, max: 10_000_000, integer: true }));
    const overlap = opt(p, 'overlap', 0.25, () => number(p, 'overlap', pfail, { min: 0, max: 0.99 }));
    for (const stem of stems) if (!sources.includes(stem)) fail('stems', `lists "${stem}", which is not one of parameters.sources (${sources.join(', ')})`);
    return { ...base, contract, parameters: { sources, segmentSamples, nFft, hop, overlap } };
  }
  const nFft = opt(p, 'nFft', 4096, () => number(p, 'nFft', pfail, { min: 16, max: 65536, integer: true, even: true }));
  const hop = opt(p, 'hop', nFft / 4, () => number(p, 'hop', pfail, { min: 1, max: nFft / 2, integer: true }));
  const segmentFrames = opt(p, 'segmentFrames', 256, () => number(p, 'segmentFrames', pfail, { min: 2, max: 100_000, integer: true }));
  const overlap = opt(p, 'overlap', 0.25, () => number(p, 'overlap', pfail, { min: 0, max: 0.99 }));
  const sumToMixture = opt(p, 'sumToMixture', false, () => {
    if (typeof p.sumToMixture !== 'boolean') pfail('sumToMixture', 'must be true or false');
    return p.sumToMixture as boolean;
  });
  if (hop * (segmentFrames - 1) <= nFft / 2) pfail('segmentFrames', `gives segments of ${hop * (segmentFrames - 1)} samples, which must exceed nFft / 2`);
  return { ...base, contract, parameters: { nFft, hop, segmentFrames, overlap, sumToMixture } };
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function opt<T>(json: Json, key: string, fallback: T, read: () => T): T {
  return json[key] === undefined ? fallback : read();
}

type Fail = (field: string, problem: string) => never;

function string(json: Json, key: string, fail: Fail): string {
  const value = json[key];
  if (typeof value !== 'string' || value.trim() === '') return fail(key, value === undefined ? 'is missing' : 'must be a non-empty string');
  return value;
}

function number(json: Json, key: string, fail: Fail, rule: { min: number; max: number; integer?: boolean; even?: boolean }): number {
  const value = json[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) return fail(key, value === undefined ? 'is missing' : 'must be a number');
  if (rule.integer && !Number.isInteger(value)) fail(key, 'must be an integer');
  if (rule.even && value % 2 !== 0) fail(key, 'must be even');
  if (value < rule.min || value > rule.max) fail(key, `must be between ${rule.min} and ${rule.max}, got ${value}`);
  return value;
}

function stringList(json: Json, key: string, fail: Fail): string[] {
  const value = json[key];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v === '')) return fail(key, value === undefined ? 'is missing' : 'must be a list of strings');
  if (new Set(value).size !== value.length) fail(key, 'lists a name twice');
  return value as string[];
}

function stemList(json: Json, key: string, fail: Fail): string[] {
  const list = stringList(json, key, fail);
  if (list.length === 0) fail(key, 'must not be empty');
  for (const stem of list) if (!(stemNames as readonly string[]).includes(stem)) fail(key, `lists "${stem}"; stems are ${stemNames.join(', ')}`);
  return list;
}
