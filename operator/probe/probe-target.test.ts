import { ANNOTATION_CONFIG_HASH } from '../api/constants.js';
import type { Deployment, Service } from '../api/kube-types.js';
import { parseMcpServer, type McpServer } from '../api/mcp-server.js';
import { AWAITING_MESSAGE, planProbe } from './probe-target.js';

function mcp(spec: Record<string, unknown> = { command: ['srv'] }): McpServer {
  const r = parseMcpServer({ metadata: { name: 'fs', namespace: 'tools', uid: 'u1', generation: 1 }, spec });
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

interface DepState {
  observedGeneration?: number;
  replicas?: number;
  updated?: number;
  ready?: number;
  available?: 'True' | 'False';
  hash?: string;
}

function dep(s: DepState = {}): Deployment {
  return {
    metadata: { name: 'fs', namespace: 'tools', generation: 2 },
    spec: { selector: {}, template: { metadata: { annotations: { [ANNOTATION_CONFIG_HASH]: s.hash ?? 'h1' } } } },
    status: {
      observedGeneration: s.observedGeneration ?? 2,
      replicas: s.replicas ?? 2,
      updatedReplicas: s.updated ?? 2,
      readyReplicas: s.ready ?? 2,
      conditions: [{ type: 'Available', status: s.available ?? 'True' }],
    },
  };
}

const svc = (clusterIP = '10.96.0.10', port = 8080): Service => ({ metadata: { name: 'fs' }, spec: { clusterIP, ports: [{ port }] } });
const wait = { probe: false, message: AWAITING_MESSAGE };

describe('planProbe', () => {
  it('when the Deployment is available and rolled out, then the server is probed at its ClusterIP', () => {
    expect(planProbe(mcp(), dep(), svc())).toEqual({ probe: true, target: { url: 'http://10.96.0.10:8080/mcp', fingerprint: 'h1|http://10.96.0.10:8080/mcp|' } });
  });

  it.each<[string, Deployment | undefined, Service | undefined]>([
    ['no Deployment', undefined, svc()],
    ['no Service', dep(), undefined],
    ['a Deployment the controller has not observed yet', dep({ observedGeneration: 1 }), svc()],
    ['not Available', dep({ available: 'False' }), svc()],
    ['no ready replica (scaled to zero)', dep({ replicas: 0, updated: 0, ready: 0 }), svc()],
    ['replicas of an older template still running', dep({ replicas: 3, updated: 2 }), svc()],
    ['a headless Service', dep(), svc('None')],
    ['a Service without a ClusterIP yet', dep(), svc('')],
  ])('when there is %s, then it waits', (_what, d, s) => {
    expect(planProbe(mcp(), d, s)).toEqual(wait);
  });

  it('when the server speaks streamable-http itself, then its own path is probed', () => {
    const m = mcp({ transport: 'streamable-http', image: 'srv:1', command: ['srv'], port: 3000, path: '/api/mcp' });
    expect(planProbe(m, dep(), svc('10.96.0.11', 3000))).toMatchObject({ target: { url: 'http://10.96.0.11:3000/api/mcp' } });
  });

  it('when the bridge requires a token, then the target names its Secret key, and the fingerprint changes with it', () => {
    const m = mcp({ command: ['srv'], bridge: { authTokenSecretRef: { name: 'tok', key: 'token' } } });
    expect(planProbe(m, dep(), svc())).toEqual({
      probe: true,
      target: { url: 'http://10.96.0.10:8080/mcp', fingerprint: 'h1|http://10.96.0.10:8080/mcp|tok/token', token: { namespace: 'tools', name: 'tok', key: 'token' } },
    });
  });

  it('when the pod template changes, then the fingerprint changes (a new probe); scaling alone does not', () => {
    const fp = (d: Deployment) => {
      const p = planProbe(mcp(), d, svc());
      return p.probe ? p.target.fingerprint : '';
    };
    expect(fp(dep({ hash: 'h2' }))).not.toBe(fp(dep()));
    expect(fp(dep({ replicas: 5, updated: 5, ready: 5 }))).toBe(fp(dep()));
  });

  it('when the ClusterIP is IPv6, then the URL brackets it', () => {
    expect(planProbe(mcp(), dep(), svc('fd00::10'))).toMatchObject({ target: { url: 'http://[fd00::10]:8080/mcp' } });
  });
});
