import { defineConfig } from 'vitest/config'

// Three projects, as in STYLE.md: unit tests are pure and fast; integration tests build namespaced
// hosts and need root; e2e tests spawn the built CLI.
export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // Removes namespaces a crashed earlier run left behind (only ours: the `fot` prefix).
          globalSetup: ['test/helpers/global-setup.ts'],
          testTimeout: 240_000,
          hookTimeout: 120_000,
          // Each file builds its own cluster; two cores cannot shape several clusters at once honestly.
          fileParallelism: false,
        },
      },
      { test: { name: 'e2e', include: ['test/e2e/**/*.test.ts'], testTimeout: 60_000 } },
    ],
  },
})
