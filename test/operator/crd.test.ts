/* eslint-disable @typescript-eslint/no-unsafe-class-instance-assignment -- the tests send plain JSON objects through client-node's class-typed signatures, as the library itself does. */
// The CRD installs, valid samples are accepted, invalid ones are rejected at admission with their message.
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadAllYaml } from '@kubernetes/client-node';
import type { KubernetesObject } from '@kubernetes/client-node';
import { CRD_FILE, ROOT, api, createMcpServer, createNamespace, deleteNamespace, installCrd, type McpServerObject } from './harness.js';

const a = api();
let ns = '';
const samples = join(ROOT, 'crds/samples');
const invalid = join(samples, 'invalid');
const yamlFiles = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.yaml'));

function load(file: string): McpServerObject {
  const obj = (loadAllYaml(readFileSync(file, 'utf8')) as KubernetesObject[])[0] as McpServerObject;
  return { ...obj, metadata: { name: obj.metadata?.name ?? '', namespace: ns } };
}

function expectation(file: string): string {
  const m = /^# expect: (.+)$/m.exec(readFileSync(file, 'utf8'));
  if (m?.[1] === undefined) throw new Error(`${file} has no "# expect: <message fragment>" line`);
  return m[1].trim();
}

/** The apiserver's Status message, as kubectl would print it. */
function messageOf(err: unknown): string {
  const body = (err as { body?: unknown }).body;
  const status = (typeof body === 'string' ? JSON.parse(body) : body) as { message?: unknown } | undefined;
  return typeof status?.message === 'string' ? status.message : JSON.stringify(body ?? null);
}

beforeAll(async () => {
  await installCrd(a);
  ns = await createNamespace(a, 'op-crd');
}, 60_000);

afterAll(async () => {
  await deleteNamespace(a, ns);
});

describe('McpServer CRD', () => {
  it('when installed, then it serves the scale and status subresources and the printer columns', async () => {
    const res = await a.custom.getAPIResources({ group: 'mcp.sidecar.dev', version: 'v1alpha1' });
    const names = res.resources.map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(['mcpservers', 'mcpservers/status', 'mcpservers/scale']));
    expect(res.resources.find((r) => r.name === 'mcpservers')?.shortNames).toEqual(['mcp']);
  });

  it('when the CRD file is validated strictly by the apiserver, then it has no unknown or duplicate fields', () => {
    // The typed client drops unknown keys silently, so this goes through kubectl's strict field validation.
    const out = execFileSync('kubectl', ['apply', '--server-side', '--dry-run=server', '--validate=strict', '--field-manager=mcp-operator-tests', '--force-conflicts', '-f', CRD_FILE], {
      env: process.env,
      stdio: 'pipe',
      encoding: 'utf8',
    });
    expect(out).toContain('mcpservers.mcp.sidecar.dev');
  });

  it.each(yamlFiles(samples))('when the valid sample %s is created, then it is accepted with defaults', async (file) => {
    const created = await createMcpServer(a, load(join(samples, file)), 'All');
    expect(created.spec.transport).toBeDefined();
    expect(created.spec.replicas).toBeDefined();
  });

  it.each(yamlFiles(invalid))('when the invalid sample %s is created, then admission rejects it with its message', async (file) => {
    const path = join(invalid, file);
    const want = expectation(path);
    let err: unknown;
    try {
      await createMcpServer(a, load(path), 'All');
    } catch (e) {
      err = e;
    }
    expect(err).toBeDefined();
    expect(messageOf(err)).toContain(want);
  });
});
