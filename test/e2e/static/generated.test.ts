// No cluster needed: the files `npm run generate` writes are what their sources generate (the CRD from
// operator/api/mcp-server.ts, the chart's copies), and the samples the CRD admits parse as the operator
// reads them.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAllYaml } from '@kubernetes/client-node';
import { CHART_DIR, CRD_FILE, generatedFiles } from '../../../operator/api/crd/files.js';
import { parseMcpServer } from '../../../operator/api/mcp-server.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
const files = generatedFiles(ROOT);

describe('the generated files', () => {
  it.each([...files.keys()])('when %s is generated again, then the committed file is identical (else: npm run generate)', (rel) => {
    expect(readFileSync(join(ROOT, rel), 'utf8')).toBe(files.get(rel));
  });

  it('when the chart crds/ is listed, then it holds the generated CRD and nothing else', () => {
    expect(readdirSync(join(ROOT, CHART_DIR, 'crds'))).toEqual([CRD_FILE.replace('crds/', '')]);
  });
});

describe('the valid samples', () => {
  const dir = join(ROOT, 'crds/samples');
  it.each(readdirSync(dir).filter((f) => f.endsWith('.yaml')))('when %s is parsed as the operator reads it, then it parses', (file) => {
    const [obj] = loadAllYaml(readFileSync(join(dir, file), 'utf8')) as { metadata?: { name?: string }; spec?: unknown }[];
    const r = parseMcpServer({ metadata: { name: obj?.metadata?.name, namespace: 'ns', uid: 'u' }, spec: obj?.spec });
    expect(r).toMatchObject({ ok: true });
  });
});
