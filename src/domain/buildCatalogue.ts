import { AppError } from '../errors/AppError.js';
import { builtInModels, learnedOnlyModels, type ModelDefinition, type StemSource } from './modelCatalogue.js';

/** An engine as the catalogue sees it: the DSP separator, or one installed learned model. */
export interface EngineEntry {
  /** `dsp`, or `model:<name>` for an installed model. */
  id: string;
  /** The variant clients send to choose it. */
  variant: string;
  /** Catalogue model ids it serves. */
  models: readonly string[];
  /** Stems it yields. */
  stems: readonly string[];
  /** Measured quality in dB (ranks engines for `high_quality`); null when unknown. */
  quality: number | null;
  /** Its manifest says it beats the DSP engine: it runs targets that name no variant. */
  isDefault?: boolean;
}

/** What a target runs on: the engine, and how its output is made from that engine's stems. */
export interface EngineChoice {
  engine: string;
  source: StemSource;
}

export interface Catalogue {
  /** What GET /models lists: every model id something installed here serves, with its variants. */
  readonly models: readonly ModelDefinition[];
  readonly engines: readonly EngineEntry[];
  find(id: string): ModelDefinition | undefined;
  /** The engine for a model and variant (null: the default); throws when nothing installed serves it. */
  choose(model: string, variant: string | null): EngineChoice;
}

export const dspEngine: EngineEntry = { id: 'dsp', variant: 'dsp', models: builtInModels.map((m) => m.id), stems: ['vocals', 'drums', 'bass', 'other'], quality: null };

/** AudioShake's clients send it for vocals and instrumental; it names the best engine installed. */
export const highQuality = 'high_quality';

// A stem and its complement: the mixture minus one is the other.
const complements: Record<string, string> = { vocals: 'instrumental', instrumental: 'vocals' };

/** How `engine` makes model `id`'s output, or null when it cannot. */
export function sourceFor(engine: Pick<EngineEntry, 'stems'>, model: ModelDefinition): StemSource | null {
  if (engine.stems.includes(model.id)) return { stem: model.id, subtract: false };
  const complement = complements[model.id];
  if (complement && engine.stems.includes(complement)) return { stem: complement, subtract: true };
  if (engine.stems.includes(model.source.stem)) return model.source;
  return null;
}

/**
 * The catalogue of this installation: the DSP engine's models, plus every model id an installed
 * engine serves. Variants: `high_quality` (the best installed engine for that model; the DSP engine
 * when none is, so AudioShake's clients always work), each engine's own variant name, and `dsp`
 * where a learned engine also serves the model. `defaults` maps a model id to the variant used when
 * a target names none; otherwise the best engine whose manifest says `default`, else the DSP engine
 * where it serves the model, else the best engine.
 */
export function buildCatalogue(installed: readonly EngineEntry[], defaults: Readonly<Record<string, string>> = {}): Catalogue {
  const engines = [dspEngine, ...installed];
  const known = [...builtInModels, ...learnedOnlyModels];
  const servers = new Map<string, EngineEntry[]>();
  for (const definition of known) {
    const serving = engines.filter((e) => e.models.includes(definition.id) && sourceFor(e, definition) !== null);
    if (serving.length > 0) servers.set(definition.id, serving);
  }
  const best = (list: EngineEntry[]) => [...list].sort((a, b) => (b.quality ?? -Infinity) - (a.quality ?? -Infinity))[0];
  const models = known.filter((m) => servers.has(m.id)).map((m) => {
    const serving = servers.get(m.id)!;
    const learned = serving.filter((e) => e !== dspEngine);
    const variants = new Set(m.variants);
    if (learned.length > 0) {
      variants.add(highQuality);
      for (const e of learned) variants.add(e.variant);
      if (serving.includes(dspEngine)) variants.add(dspEngine.variant);
    }
    return { ...m, variants: [...variants] };
  });
  const byId = new Map(models.map((m) => [m.id, m]));
  return {
    models,
    engines,
    find: (id) => byId.get(id),
    choose(model, variant) {
      const definition = byId.get(model);
      const serving = servers.get(model);
      if (!definition || !serving) throw new AppError('unknown_model', `Model '${model}' is not installed here; available: ${models.map((m) => m.id).join(', ')}.`);
      const learned = serving.filter((e) => e !== dspEngine);
      let engine: EngineEntry | undefined;
      if (variant === null) {
        const marked = serving.filter((e) => e.isDefault === true);
        engine = serving.find((e) => e.variant === defaults[model])
          ?? (marked.length > 0 ? best(marked) : serving.includes(dspEngine) ? dspEngine : best(serving));
      } else if (variant === highQuality) {
        engine = learned.length > 0 ? best(learned) : serving[0];
      } else {
        engine = serving.find((e) => e.variant === variant);
      }
      if (!engine) {
        throw new AppError('unknown_model', `Variant '${variant}' of model '${model}' is not installed here (any more); variants now: ${definition.variants.join(', ') || 'none'}.`);
      }
      return { engine: engine.id, source: sourceFor(engine, definition)! };
    },
  };
}
