import { inputFormats } from './outputFormats.js';
import type { ModelList } from '../wire/Model.js';
import type { ModelDefinition } from './modelCatalogue.js';

/** GET /models: `{ models: [Model] }` in the shape of spec/api.md "Models". */
export function renderModels(models: readonly ModelDefinition[], limits: { maxDurationSeconds: number }): ModelList {
  return {
    models: models.map((m) => ({
      id: m.id,
      name: m.name,
      category: m.category,
      description: m.description,
      access: 'enabled',
      creditsPerMinute: m.creditsPerMinute,
      residual: m.residual,
      variants: m.variants,
      inputs: [{
        id: 'media', required: true, taskFields: ['url', 'assetId'],
        formats: { audio: [...inputFormats.audio], video: [...inputFormats.video] },
      }],
      outputFormats: [...m.outputFormats],
      limits: { maxInputDurationSeconds: limits.maxDurationSeconds },
    })),
  };
}
