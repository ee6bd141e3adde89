import { ANNOTATION_CONFIG_HASH } from '../api/constants.js';
import type { Pod } from '../api/kube-types.js';
import { parseMcpServer, type McpServer } from '../api/mcp-server.js';
import { AWAITING_MESSAGE, planProbe } from './probe-target.js';

function mcp(spec: Record<string, unknown> = { command: ['srv'] }): McpServer {
  const r = parseMcpServer({ metadata: { name: 'fs', namespace: 'tools', uid: 'u1', generation: 1 }, spec });
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

interface PodState {
  name?: string;
  hash?: string;
  ready?: boolean;
  ip?: string;
  deleting?: boolean;
}

function pod(s: PodState = {}): Pod {
  return {
    metadata: {
      name: s.name ?? 'fs-abc',
      annotations: { [ANNOTATION_CONFIG_HASH]: s.hash ?? 'h1' },
      ...(s.deleting === true ? { deletionTimestamp: new Date('2026-01-01T00:00:00Z') } : {}),
    },
    status: { podIP: s.ip ?? '10.244.0.5', conditions: [{ type: 'Ready', status: s.ready === false ? 'False' : 'True' }] },
  };
}

const wait = { probe: false, message: AWAITING_MESSAGE };

describe('planProbe', () => {
  it('when a pod of the current configuration is ready, then it is probed at its IP and the bridge port', () => {
    expect(planProbe(mcp(), 'h1', [pod()])).toEqual({ probe: true, target: { url: 'http://10.244.0.5:8080/mcp', fingerprint: 'h1|8080/mcp|' } });
  });

  it.each<[string, Pod[]]>([
    ['no pod', []],
    ['only a pod of the previous configuration (a rollout under way)', [pod({ hash: 'h0' })]],
    ['a pod that is not ready', [pod({ ready: false })]],
    ['a pod that is terminating', [pod({ deleting: true })]],
    ['a pod without an IP yet', [pod({ ip: '' })]],
  ])('when there is %s, then it waits', (_what, pods) => {
    expect(planProbe(mcp(), 'h1', pods)).toEqual(wait);
  });

  it('when old and new pods run side by side, then only a new one is probed, the same one each time', () => {
    const pods = [pod({ name: 'fs-old', hash: 'h0', ip: '10.244.0.1' }), pod({ name: 'fs-b', ip: '10.244.0.3' }), pod({ name: 'fs-a', ip: '10.244.0.2' })];
    expect(planProbe(mcp(), 'h1', pods)).toMatchObject({ target: { url: 'http://10.244.0.2:8080/mcp' } });
  });

  it('when the server speaks streamable-http itself, then its own port and path are probed', () => {
    const m = mcp({ transport: 'streamable-http', image: 'srv:1', command: ['srv'], port: 3000, path: '/api/mcp' });
    expect(planProbe(m, 'h1', [pod()])).toMatchObject({ target: { url: 'http://10.244.0.5:3000/api/mcp', fingerprint: 'h1|3000/api/mcp|' } });
  });

  it('when the bridge requires a token, then the target names its Secret key, and the fingerprint includes it', () => {
    const m = mcp({ command: ['srv'], bridge: { port: 9000, authTokenSecretRef: { name: 'tok', key: 'token' } } });
    expect(planProbe(m, 'h1', [pod()])).toEqual({
      probe: true,
      target: { url: 'http://10.244.0.5:9000/mcp', fingerprint: 'h1|9000/mcp|tok/token', token: { namespace: 'tools', name: 'tok', key: 'token' } },
    });
  });

  it('when the pod is replaced by another of the same configuration, then the fingerprint stays (no new probe)', () => {
    const fp = (pods: Pod[]) => {
      const p = planProbe(mcp(), 'h1', pods);
      return p.probe ? p.target.fingerprint : '';
    };
    expect(fp([pod({ name: 'fs-new', ip: '10.244.0.9' })])).toBe(fp([pod()]));
  });

  it('when the pod IP is IPv6, then the URL brackets it', () => {
    expect(planProbe(mcp(), 'h1', [pod({ ip: 'fd00::10' })])).toMatchObject({ target: { url: 'http://[fd00::10]:8080/mcp' } });
  });
});
