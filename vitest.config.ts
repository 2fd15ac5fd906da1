import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['checker/**/*.test.ts', 'model/**/*.test.ts', 'specs/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
