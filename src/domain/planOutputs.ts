import { AppError } from '../errors/AppError.js';
import { builtInModels, findModel, type StemSource } from './modelCatalogue.js';

export interface TargetRequest {
  model: string;
  residual?: boolean;
  /** The engine that separates it (`dsp`, or an installed model); default: the caller's. */
  engine?: string;
  /** How that engine makes the output (default: the model's own source, the DSP engine's). */
  source?: StemSource;
}

/** One output signal: named as in spec/api.md (`vocals`, `vocals_residual`, ...). */
export interface OutputPlan extends StemSource {
  name: string;
  engine?: string;
}

/** Which stems to separate and which named outputs to derive from them for a set of targets. */
export function planOutputs(targets: readonly TargetRequest[]): { stems: string[]; outputs: OutputPlan[] } {
  if (targets.length === 0) throw new AppError('invalid_argument', 'No targets: name at least one model.');
  const outputs: OutputPlan[] = [];
  for (const target of targets) {
    const model = findModel(target.model);
    if (!model) {
      throw new AppError('unknown_model', `Unknown model '${target.model}'; available: ${builtInModels.map((m) => m.id).join(', ')}.`);
    }
    if (outputs.some((o) => o.name === model.id)) continue;
    const engine = target.engine;
    const source = target.source ?? model.source;
    outputs.push({ name: model.id, ...source, engine });
    if (target.residual) {
      if (!model.residual) throw new AppError('invalid_argument', `Model '${model.id}' has no residual.`);
      outputs.push({ name: `${model.id}_residual`, stem: source.stem, subtract: !source.subtract, engine });
    }
  }
  const stems = [...new Set(outputs.map((o) => o.stem))];
  return { stems, outputs };
}
