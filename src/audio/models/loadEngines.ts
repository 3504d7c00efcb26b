import { buildCatalogue, sourceFor, type Catalogue, type EngineEntry } from '../../domain/buildCatalogue.js';
import { findModel } from '../../domain/modelCatalogue.js';
import { loadModels, type InstalledModel, type ModelProblem } from './loadModels.js';

/** The part of a logger this needs (pino's, or the CLI's lines on stderr). */
export interface ModelLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/** A loaded model as the catalogue sees it. */
export function toEngineEntry(model: InstalledModel): EngineEntry {
  return { id: `model:${model.name}`, variant: model.variant, models: model.models, stems: model.stems, quality: model.quality, isDefault: model.isDefault };
}

/**
 * The models of `dirs` (the package's shipped models first, then the operator's folder) and the
 * catalogue they make with the DSP engine. A model of a later folder replaces one of the same name
 * or variant from an earlier folder, so an operator can replace a shipped model. Every model that
 * loaded is logged, and every file that did not, with its name and the reason: the service starts
 * with the rest.
 */
export async function loadEngines(dirs: readonly string[], defaults: Readonly<Record<string, string>>, log: ModelLog): Promise<{ models: InstalledModel[]; problems: ModelProblem[]; catalogue: Catalogue }> {
  let models: InstalledModel[] = [];
  const problems: ModelProblem[] = [];
  for (const dir of dirs) {
    const found = await loadModels(dir);
    problems.push(...found.problems);
    models = [...models.filter((m) => !found.models.some((f) => f.name === m.name || f.variant === m.variant)), ...found.models];
  }
  for (const problem of problems) log.warn({ file: problem.file, reason: problem.reason }, `model file ${problem.file} not loaded: ${problem.reason}`);
  for (const model of models) {
    log.info({ model: model.name, contract: model.contract, serves: model.models, variant: model.variant, megabytes: Math.round(model.sizeBytes / 1e5) / 10 }, `model ${model.name} loaded`);
    // A typo in `models` would leave a model installed but never used: say so.
    if (model.models.length === 0) log.warn({ model: model.name }, `model ${model.name} serves no model id: list them in its manifest's "models"`);
    for (const id of model.models) {
      const definition = findModel(id);
      if (!definition) log.warn({ model: model.name, id }, `model ${model.name}: "models" names '${id}', which is not a model id (vocals, instrumental, drums, bass, other, guitar, piano); ignored`);
      else if (!sourceFor(model, definition)) log.warn({ model: model.name, id }, `model ${model.name}: cannot make '${id}' from its stems (${model.stems.join(', ')}); ignored`);
    }
  }
  const catalogue = buildCatalogue(models.map(toEngineEntry), defaults);
  for (const [model, variant] of Object.entries(defaults)) {
    const served = catalogue.find(model);
    if (!served) log.warn({ model }, `default engines: no model '${model}' is installed; ignored`);
    else if (!served.variants.includes(variant) && variant !== 'dsp') log.warn({ model, variant }, `default engines: '${model}' has no variant '${variant}' here (variants: ${served.variants.join(', ') || 'none'}); its default stays the DSP engine`);
  }
  return { models, problems, catalogue };
}
