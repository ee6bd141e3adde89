// Jest runs in ESM mode (the package is "type": "module"); ts-jest compiles each file on its own
// (isolatedModules), so type errors are caught by `npm run typecheck`, not by the test run.
const tsJest = ['ts-jest', { useESM: true, isolatedModules: true, tsconfig: 'tsconfig.json' }];
const common = {
  extensionsToTreatAsEsm: ['.ts'],
  transform: { '^.+\\.ts$': tsJest },
  // Sources import siblings as './x.js' (NodeNext); map them back to the .ts file.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testEnvironment: 'node',
};
export default {
  // These tiers talk to real processes and a real cluster: 5 s (jest's default) is a guess that a
  // loaded CI machine can miss. Tests keep their own, tighter deadlines where timing is the point.
  testTimeout: 60_000,
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/common/**/*.test.ts', '<rootDir>/bridge/**/*.test.ts', '<rootDir>/operator/**/*.test.ts'] },
    {
      ...common,
      displayName: 'integration',
      testMatch: ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/fixtures/**/*.test.ts'],
    },
    // Chart and samples checked without a cluster (drift against crds/, operator/rbac.yaml, samples/servers.json).
    { ...common, displayName: 'static', testMatch: ['<rootDir>/test/e2e/static/**/*.test.ts'] },
    // The operator against a private control plane (etcd + kube-apiserver + kube-controller-manager) that
    // the project's globalSetup starts in seconds and its globalTeardown removes: no cluster needed.
    {
      ...common,
      displayName: 'operator',
      testMatch: ['<rootDir>/test/operator/*.test.ts'],
      globalSetup: '<rootDir>/test/operator/global-setup.mjs',
      globalTeardown: '<rootDir>/test/operator/global-teardown.mjs',
    },
    // The few operator tests that need pods to run (kubelet, containerd, CNI, Services that route): against
    // the full cluster in KUBECONFIG (test/operator/run.sh, after hack/cluster-up.sh); run in band.
    { ...common, displayName: 'operator-cluster', testMatch: ['<rootDir>/test/operator/cluster/**/*.test.ts'] },
    // compose.yaml on a real Docker engine (test/compose/run.sh starts one and loads the images).
    { ...common, displayName: 'compose', testMatch: ['<rootDir>/test/compose/**/*.test.ts'] },
  ],
};
