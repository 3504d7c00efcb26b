import { AppError } from '../errors/AppError.js';
import { characterCount, maxMetadataCharacters, maxUrlLength } from './limits.js';
import type { ModelDefinition } from './modelCatalogue.js';

export interface TargetSpec {
  model: string;
  formats: string[];
  /** null when the request did not say (echoed only when given). */
  residual: boolean | null;
  variant: string | null;
  language: string | null;
}

export interface CreateTaskInput {
  assetId: string | null;
  url: string | null;
  targets: TargetSpec[];
  metadata: string | null;
}

/**
 * Validates a POST /tasks body against the models this installation runs (spec/api.md "POST
 * /tasks"). Messages name the offending field the way clients wrote it (`targets[2].formats[0]`).
 * Unknown fields are ignored: AudioShake clients send e.g. `callbackUrl`.
 */
export function parseCreateTask(body: unknown, models: readonly ModelDefinition[], maxTargets: number): CreateTaskInput {
  if (!isObject(body)) throw invalid('invalid_request', 'The body must be a JSON object with `targets` and one of `url` or `assetId`.');
  const { url, assetId, targets, metadata } = body;
  if (url !== undefined && assetId !== undefined) throw invalid('invalid_request', 'Give exactly one of `url` and `assetId`, not both.');
  if (url === undefined && assetId === undefined) throw invalid('invalid_request', 'Give one of `url` (an http(s) URL of audio or video) or `assetId` (from POST /assets).');
  if (assetId !== undefined && (typeof assetId !== 'string' || assetId.length === 0)) throw invalid('invalid_request', 'assetId: must be a non-empty string.');
  if (url !== undefined) checkUrl(url);
  if (metadata !== undefined && typeof metadata !== 'string') throw invalid('invalid_request', 'metadata: must be a string.');
  if (typeof metadata === 'string' && characterCount(metadata) > maxMetadataCharacters) {
    throw invalid('invalid_request', `metadata: at most ${maxMetadataCharacters} characters, got ${characterCount(metadata)}.`);
  }
  if (!Array.isArray(targets)) throw invalid('invalid_target', 'targets: must be an array of 1 to ' + maxTargets + ' targets.');
  if (targets.length < 1 || targets.length > maxTargets) throw invalid('invalid_target', `targets: must have 1 to ${maxTargets} items, got ${targets.length}.`);

  const seen = new Map<string, number>();
  const parsed = targets.map((target, index) => {
    const spec = parseTarget(target, `targets[${index}]`, models);
    const identity = `${spec.model}\u0000${spec.variant ?? ''}`;
    const earlier = seen.get(identity);
    if (earlier !== undefined) {
      throw invalid('invalid_target', `targets[${index}]: same model '${spec.model}'${spec.variant ? ` and variant '${spec.variant}'` : ''} as targets[${earlier}].`);
    }
    seen.set(identity, index);
    return spec;
  });
  return {
    assetId: typeof assetId === 'string' ? assetId : null,
    url: typeof url === 'string' ? url : null,
    targets: parsed,
    metadata: typeof metadata === 'string' ? metadata : null,
  };
}

function parseTarget(value: unknown, path: string, models: readonly ModelDefinition[]): TargetSpec {
  if (!isObject(value)) throw invalid('invalid_target', `${path}: must be an object with \`model\` and \`formats\`.`);
  const { model, formats, residual, variant, language } = value;
  if (typeof model !== 'string' || model.length === 0) throw invalid('invalid_target', `${path}.model: must be a model id from GET /models.`);
  const definition = models.find((m) => m.id === model);
  if (!definition) {
    throw invalid('unknown_model', `${path}.model: '${model}' is not a model of this installation; available: ${models.map((m) => m.id).join(', ')}.`);
  }
  if (!Array.isArray(formats) || formats.length === 0) {
    throw invalid('invalid_target', `${path}.formats: must be a non-empty array of output formats (${definition.outputFormats.join(', ')}).`);
  }
  formats.forEach((format, i) => {
    if (typeof format !== 'string' || !(definition.outputFormats as readonly string[]).includes(format)) {
      throw invalid('invalid_target', `${path}.formats[${i}]: ${JSON.stringify(format)} is not an output format of model '${model}' (${definition.outputFormats.join(', ')}).`);
    }
    if (formats.indexOf(format) !== i) throw invalid('invalid_target', `${path}.formats[${i}]: '${format}' is listed twice.`);
  });
  if (residual !== undefined && typeof residual !== 'boolean') throw invalid('invalid_target', `${path}.residual: must be true or false.`);
  if (residual === true && !definition.residual) throw invalid('invalid_target', `${path}.residual: model '${model}' has no residual.`);
  if (variant !== undefined) {
    if (typeof variant !== 'string' || !definition.variants.includes(variant)) {
      const allowed = definition.variants.length > 0 ? `variants of '${model}': ${definition.variants.join(', ')}` : `model '${model}' has no variants`;
      throw invalid('invalid_target', `${path}.variant: ${JSON.stringify(variant)} is not allowed (${allowed}).`);
    }
  }
  if (language !== undefined) throw invalid('invalid_target', `${path}.language: model '${model}' takes no language.`);
  return {
    model,
    formats: formats as string[],
    residual: typeof residual === 'boolean' ? residual : null,
    variant: typeof variant === 'string' ? variant : null,
    language: null,
  };
}

function checkUrl(url: unknown): void {
  if (typeof url !== 'string') throw invalid('invalid_request', 'url: must be a string.');
  if (url.length > maxUrlLength) throw invalid('invalid_request', `url: at most ${maxUrlLength} characters, got ${url.length}.`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw invalid('invalid_request', `url: ${JSON.stringify(url.slice(0, 200))} is not a URL.`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw invalid('invalid_request', `url: only http and https URLs are fetched, not ${parsed.protocol.replace(':', '')}.`);
  if (parsed.username || parsed.password) throw invalid('invalid_request', 'url: credentials in the URL are not accepted.');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function invalid(code: 'invalid_request' | 'invalid_target' | 'unknown_model', message: string): AppError {
  return new AppError(code, message);
}
