import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests spawn ffmpeg and worker threads; two files at a time suits a 2-core machine.
    maxWorkers: 2,
    // The suite pins its engines: child processes (CLI, spawned services) inherit this, and only
    // test/integration/shippedModels.test.ts loads the package's trained models.
    env: { STEMLINE_SHIPPED_MODELS: 'false' },
  },
});
