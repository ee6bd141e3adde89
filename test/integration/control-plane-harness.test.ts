// The operator tier's control-plane harness (test/lib/control-plane/): its parts on their own, with real
// processes and real openssl, and each refusal as its defined error. The whole control plane is exercised
// by the operator tier itself (npm run test:operator), which starts it once per run.
import { X509Certificate, createPrivateKey, createPublicKey, sign, verify } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MissingBinaryError, controlPlaneBinaries } from '../lib/control-plane/binaries.js';
import { freePort } from '../lib/control-plane/free-port.js';
import { makePki } from '../lib/control-plane/pki.js';
import { Component, ComponentExitedError, ComponentTimeoutError } from '../lib/control-plane/process.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
let dir = '';

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'cp-harness-test-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('control-plane harness', () => {
  it('when the cache holds no binaries, then MissingBinaryError names every path it looked at', () => {
    let err: unknown;
    try {
      controlPlaneBinaries(ROOT, { ...process.env, MCP_CACHE_DIR: join(dir, 'no-cache') });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MissingBinaryError);
    const missing = (err as MissingBinaryError).missing;
    expect(missing).toHaveLength(4);
    for (const name of ['etcd-v', 'kube-apiserver-v', 'kube-controller-manager-v', 'kubectl-v']) {
      expect(missing.some((p) => p.startsWith(join(dir, 'no-cache', 'bin', name)))).toBe(true);
    }
    expect((err as Error).message).toContain('hack/build-binaries.sh');
  });

  it('when the cache holds them, then every path is an executable of the pinned versions', () => {
    const bins = controlPlaneBinaries(ROOT);
    expect(Object.keys(bins)).toEqual(['etcd', 'kube-apiserver', 'kube-controller-manager', 'kubectl']);
    expect(bins['kube-apiserver']).toMatch(/\/kube-apiserver-v\d+\.\d+\.\d+$/);
  });

  it('when the credentials are made, then the apiserver and admin certificates chain to the CA with the right names, and the service-account keys are a pair', () => {
    const pki = makePki(dir);
    const ca = new X509Certificate(readFileSync(pki.caCert));
    const serving = new X509Certificate(readFileSync(pki.servingCert));
    const admin = new X509Certificate(readFileSync(pki.adminCert));
    expect(ca.ca).toBe(true);
    for (const leaf of [serving, admin]) {
      expect(leaf.ca).toBe(false);
      expect(leaf.checkIssued(ca)).toBe(true);
      expect(leaf.verify(ca.publicKey)).toBe(true);
    }
    expect(serving.subjectAltName).toBe('IP Address:127.0.0.1, DNS:localhost');
    expect(serving.checkPrivateKey(createPrivateKey(readFileSync(pki.servingKey)))).toBe(true);
    expect(admin.subject).toContain('O=system:masters');
    const data = Buffer.from('token');
    const signature = sign('sha256', data, createPrivateKey(readFileSync(pki.serviceAccountKey)));
    expect(verify('sha256', data, createPublicKey(readFileSync(pki.serviceAccountPub)), signature)).toBe(true);
  });

  it('when a port is handed out, then it can be bound on loopback', async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise((r) => server.close(r));
  });

  it('when a component exits while it is awaited, then ComponentExitedError carries its exit code and the end of its log', async () => {
    const c = new Component('broken', '/bin/sh', ['-c', 'echo "unknown flag: --nope" >&2; exit 3'], join(dir, 'broken.log'));
    let err: unknown;
    try {
      await c.waitUntil('never', () => Promise.resolve(false), 30_000);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ComponentExitedError);
    expect(err).toMatchObject({ component: 'broken', code: 3 });
    expect((err as Error).message).toContain('unknown flag: --nope');
    expect(c.running).toBe(false);
  });

  it('when a component never becomes ready, then ComponentTimeoutError names what it waited for, and stop() ends the process', async () => {
    const c = new Component('slow', '/bin/sh', ['-c', 'exec sleep 60'], join(dir, 'slow.log'));
    await expect(c.waitUntil('/readyz', () => Promise.reject(new Error('connection refused')), 300)).rejects.toThrow(ComponentTimeoutError);
    await expect(c.waitUntil('/readyz', () => Promise.reject(new Error('connection refused')), 300)).rejects.toThrow(/slow: \/readyz not within 300 ms \(last probe: connection refused\)/);
    expect(c.running).toBe(true);
    await c.stop();
    expect(c.running).toBe(false);
  });
});
