import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One real S3-compatible gateway (Ceph RGW) for the run; the S3 legs take buckets of their own.
    globalSetup: ['test/helpers/s3/globalSetup.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Integration tests spawn ffmpeg and worker threads; two files at a time suits a 2-core machine.
    maxWorkers: 2,
    // The suite pins its engines: child processes (CLI, spawned services) inherit this, and only
    // test/integration/shippedModels.test.ts loads the package's trained models.
    env: { STEMLINE_SHIPPED_MODELS: 'false' },
  },
});
