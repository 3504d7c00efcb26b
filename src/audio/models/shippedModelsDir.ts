import { resolve } from 'node:path';

/**
 * The package's own trained models (models/ at the package root; docs/models/ has their cards). The
 * same three levels up from src/audio/models under tsx and from dist/audio/models when built.
 */
export const shippedModelsDir = resolve(import.meta.dirname, '..', '..', '..', 'models');
