// Jest config of the e2e suite (test/e2e/run.sh uses it): one process, files in name order
// (00-install first); each test sets its own timeout, 120 s otherwise.
// The static checks (test/e2e/static/: chart ↔ crds/ and operator/rbac.yaml, samples ↔ servers.json) need no
// cluster: they are the project "static" here and belong in `npm test` (see docs/e2e.md).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const rootDir = join(dirname(fileURLToPath(import.meta.url)), '../..');
const tsJest = ['ts-jest', { useESM: true, isolatedModules: true, tsconfig: 'tsconfig.json' }];
const common = {
  rootDir,
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': tsJest },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
};
export default {
  rootDir,
  // Fallback for any test without its own timeout: a real cluster on a loaded machine is slow.
  testTimeout: 120_000,
  testSequencer: '<rootDir>/test/e2e/sequencer.cjs',
  projects: [
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/*.test.ts'] },
    { ...common, displayName: 'static', testMatch: ['<rootDir>/test/e2e/static/**/*.test.ts'] },
    // test/chaos/run.sh: kills cluster components under load (its own command, not in `npm test`).
    { ...common, displayName: 'chaos', testMatch: ['<rootDir>/test/chaos/*.test.ts'] },
  ],
};
