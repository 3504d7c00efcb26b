import { buildCatalogue, type Catalogue, type EngineEntry } from '../../domain/buildCatalogue.js';
import { loadModels, type InstalledModel, type ModelProblem } from './loadModels.js';

/** The part of a logger this needs (pino's, or the CLI's lines on stderr). */
export interface ModelLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/** A loaded model as the catalogue sees it. */
export function toEngineEntry(model: InstalledModel): EngineEntry {
  return { id: `model:${model.name}`, variant: model.variant, models: model.models, stems: model.stems, quality: model.quality };
}

/**
 * The models of `dir` and the catalogue they make with the DSP engine. Every model that loaded is
 * logged, and every file that did not, with its name and the reason: the service starts with the rest.
 */
export async function loadEngines(dir: string, defaults: Readonly<Record<string, string>>, log: ModelLog): Promise<{ models: InstalledModel[]; problems: ModelProblem[]; catalogue: Catalogue }> {
  const { models, problems } = await loadModels(dir);
  for (const problem of problems) log.warn({ file: problem.file, reason: problem.reason }, `model file ${problem.file} not loaded: ${problem.reason}`);
  for (const model of models) {
    log.info({ model: model.name, contract: model.contract, serves: model.models, variant: model.variant, megabytes: Math.round(model.sizeBytes / 1e5) / 10 }, `model ${model.name} loaded`);
  }
  const catalogue = buildCatalogue(models.map(toEngineEntry), defaults);
  for (const [model, variant] of Object.entries(defaults)) {
    const served = catalogue.find(model);
    if (!served) log.warn({ model }, `default engines: no model '${model}' is installed; ignored`);
    else if (!served.variants.includes(variant) && variant !== 'dsp') log.warn({ model, variant }, `default engines: '${model}' has no variant '${variant}' here (variants: ${served.variants.join(', ') || 'none'}); its default stays the DSP engine`);
  }
  return { models, problems, catalogue };
}
