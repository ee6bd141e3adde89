// No cluster needed: the chart cannot drift from the sources it copies (npm run generate writes the copies;
// generated.test.ts checks them against the generator too), and its values schema is sound.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const CHART = join(ROOT, 'charts/mcp-sidecar-operator');
const read = (p: string) => readFileSync(join(ROOT, p), 'utf8');

describe('the chart', () => {
  it('when compared with crds/, then its crds/ holds byte-identical copies of every CRD and nothing else', () => {
    const source = readdirSync(join(ROOT, 'crds')).filter((f) => f.endsWith('.yaml')).sort();
    expect(readdirSync(join(CHART, 'crds')).sort()).toEqual(source);
    for (const f of source) expect(read(`charts/mcp-sidecar-operator/crds/${f}`)).toBe(read(`crds/${f}`));
  });

  it('when compared with operator/rbac.yaml, then files/rbac.yaml (where the templates read the rules) is identical', () => {
    expect(read('charts/mcp-sidecar-operator/files/rbac.yaml')).toBe(read('operator/rbac.yaml'));
  });

  it('when its values.yaml keys are compared with values.schema.json, then every top-level key is declared', () => {
    const schema = JSON.parse(read('charts/mcp-sidecar-operator/values.schema.json')) as { properties: Record<string, unknown> };
    const topKeys = read('charts/mcp-sidecar-operator/values.yaml').split('\n').filter((l) => /^[a-zA-Z]\w*:/.test(l)).map((l) => l.split(':')[0]);
    for (const k of topKeys) expect(Object.keys(schema.properties)).toContain(k);
  });

  // hack/cluster-up.sh (or hack/build-binaries.sh) builds helm; npm test runs this tier after it.
  const helm = join(process.env.MCP_CACHE_DIR ?? '/var/cache/mcp-sidecar', 'bin/current/helm');
  it('when linted with helm, then it passes, and a bad value is refused by the schema', () => {
    if (!existsSync(helm)) throw new Error(`no helm at ${helm}: run hack/cluster-up.sh (or hack/build-binaries.sh) first`);
    execFileSync(helm, ['lint', CHART], { stdio: 'pipe' });
    expect(() => execFileSync(helm, ['template', 'x', CHART, '--set', 'operator.replicas=-1'], { stdio: 'pipe' })).toThrow(/minimum/);
  });
});
