import { defineConfig } from 'vitest/config';

// One vitest project per kind of test (STYLE.md section 10): each has its own timeouts, and
// `npm run test:unit` etc. select one. Truth tests start real servers in network namespaces,
// so they run one file at a time.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          testTimeout: 5_000,
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          testTimeout: 20_000,
          hookTimeout: 20_000,
        },
      },
      {
        // Deploy artefacts (issue 6): alert rules with promtool, Alertmanager routing with amtool,
        // kustomize renders validated offline, runbooks, the Dockerfile. Real tools, no cluster.
        test: {
          name: 'deploy',
          include: ['test/deploy/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'static',
          include: ['test/static/**/*.test.ts'],
          testTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'truth',
          include: ['test/truth/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
      {
        // A real browser (Debian's chromium via playwright-core) against a real lab and server.
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
