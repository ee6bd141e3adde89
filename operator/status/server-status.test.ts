import { parseMcpServer, type McpServer, type McpServerStatus } from '../api/mcp-server.js';
import type { ProbeResult } from '../probe/probe-result.js';
import { computeStatus, withTransitionTimes } from './compute-status.js';
import { CONDITION_SERVER_VERIFIED, erasOf, normalizeVersions, serverPart, type ServerObservation } from './server-status.js';

const discovered: ProbeResult = {
  ok: true,
  method: 'discover',
  name: 'mcp-servers/everything',
  version: '2.0.0',
  protocolVersions: ['2025-03-26', '2026-07-28', '2025-11-25', '2025-06-18'],
};
const initialized: ProbeResult = { ok: true, method: 'initialize', name: 'legacy', version: '1.0.0', protocolVersions: ['2025-06-18'] };
const observed = (result: ProbeResult): ServerObservation => ({ kind: 'observed', result });

function mcp(status?: McpServerStatus, generation = 4): McpServer {
  const r = parseMcpServer({ metadata: { name: 'fs', namespace: 'tools', uid: 'u1', generation }, spec: { command: ['srv'] }, status });
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

describe('protocol eras', () => {
  it.each<[string[], string[]]>([
    [['2026-07-28', '2025-11-25'], ['modern', 'legacy']],
    [['2026-07-28'], ['modern']],
    [['2027-01-01'], ['modern']],
    [['2025-06-18'], ['legacy']],
    [['2024-11-05'], ['legacy']],
    [['draft', ''], []],
  ])('when a server supports %j, then its eras are %j', (versions, eras) => {
    expect(erasOf(versions)).toEqual(eras);
  });

  it('when versions repeat, come unordered or are oversized, then they are listed once, newest first, bounded', () => {
    expect(normalizeVersions(['2025-03-26', '2026-07-28', '2025-03-26'])).toEqual(['2026-07-28', '2025-03-26']);
    expect(normalizeVersions(Array.from({ length: 40 }, (_, i) => `v${String(i).padStart(2, '0')}`))).toHaveLength(16);
    expect(normalizeVersions(['x'.repeat(500)])[0]).toHaveLength(64);
  });
});

describe('status.server and ServerVerified', () => {
  it('when server/discover answered, then status.server lists name, version, versions and both eras, and ServerVerified=True Discovered', () => {
    expect(serverPart(observed(discovered), undefined, 4)).toEqual({
      server: {
        name: 'mcp-servers/everything',
        version: '2.0.0',
        protocolVersions: ['2026-07-28', '2025-11-25', '2025-06-18', '2025-03-26'],
        eras: ['modern', 'legacy'],
      },
      condition: {
        type: CONDITION_SERVER_VERIFIED,
        status: 'True',
        reason: 'Discovered',
        message: 'server/discover answered; protocol versions: 2026-07-28, 2025-11-25, 2025-06-18, 2025-03-26',
        observedGeneration: 4,
      },
    });
  });

  it('when only initialize answered, then the server is legacy only and ServerVerified=True Initialized', () => {
    const part = serverPart(observed(initialized), undefined, 4);
    expect(part.server).toEqual({ name: 'legacy', version: '1.0.0', protocolVersions: ['2025-06-18'], eras: ['legacy'] });
    expect(part.condition).toMatchObject({ status: 'True', reason: 'Initialized' });
  });

  it.each(['Unreachable', 'ProbeFailed', 'NotAnMcpServer'] as const)('when the probe failed with %s, then ServerVerified=False with that reason and no status.server', (reason) => {
    const part = serverPart(observed({ ok: false, reason, message: 'the error' }), undefined, 4);
    expect(part).toEqual({ condition: { type: CONDITION_SERVER_VERIFIED, status: 'False', reason, message: 'the error', observedGeneration: 4 } });
  });

  it('when the server reports an oversized name, then it is clipped to the schema bound', () => {
    const part = serverPart(observed({ ...discovered, name: 'n'.repeat(1000) }), undefined, 1);
    expect(part.server?.name).toHaveLength(256);
  });

  it('when probing is off, then there is neither status.server nor a ServerVerified condition', () => {
    expect(serverPart({ kind: 'off' }, undefined, 1)).toEqual({});
    const st = computeStatus(mcp(), undefined, { ok: true });
    expect(st.server).toBeUndefined();
    expect(st.conditions.map((c) => c.type)).toEqual(['Ready', 'Reconciled', 'Available']);
  });

  it('when nothing was ever observed, then ServerVerified is Unknown: AwaitingAvailability, then Probing', () => {
    expect(serverPart({ kind: 'waiting', message: 'wait' }, undefined, 2).condition).toMatchObject({ status: 'Unknown', reason: 'AwaitingAvailability', message: 'wait' });
    expect(serverPart({ kind: 'probing', url: 'http://10.0.0.1:8080/mcp' }, undefined, 2).condition).toMatchObject({
      status: 'Unknown',
      reason: 'Probing',
      message: 'Probing http://10.0.0.1:8080/mcp',
    });
  });

  it('when a result was reported and the new configuration is not probed yet, then the last result stands unchanged (no write)', () => {
    const first = withTransitionTimes(computeStatus(mcp(undefined, 4), undefined, { ok: true }, observed(discovered)), undefined, '2026-01-01T00:00:00Z');
    for (const waiting of [{ kind: 'waiting', message: 'wait' }, { kind: 'probing', url: 'u' }] as ServerObservation[]) {
      const next = withTransitionTimes(computeStatus(mcp(first, 5), undefined, { ok: true }, waiting), first.conditions, '2026-01-02T00:00:00Z');
      expect(next.server).toEqual(first.server);
      expect(next.conditions?.find((c) => c.type === CONDITION_SERVER_VERIFIED)).toEqual(first.conditions?.find((c) => c.type === CONDITION_SERVER_VERIFIED));
    }
  });

  it('when the same result is observed again, then the status is byte-identical (no write)', () => {
    const first = withTransitionTimes(computeStatus(mcp(undefined, 4), undefined, { ok: true }, observed(discovered)), undefined, '2026-01-01T00:00:00Z');
    const again = withTransitionTimes(computeStatus(mcp(first, 4), undefined, { ok: true }, observed(discovered)), first.conditions, '2026-01-02T00:00:00Z');
    expect(JSON.stringify(again)).toBe(JSON.stringify(first));
  });

  it('when a verified server becomes unreachable, then ServerVerified turns False and status.server is dropped', () => {
    const first = withTransitionTimes(computeStatus(mcp(undefined, 4), undefined, { ok: true }, observed(discovered)), undefined, '2026-01-01T00:00:00Z');
    const down = computeStatus(mcp(first, 4), undefined, { ok: true }, observed({ ok: false, reason: 'Unreachable', message: 'ECONNREFUSED' }));
    expect(down.server).toBeUndefined();
    expect(down.conditions.find((c) => c.type === CONDITION_SERVER_VERIFIED)).toMatchObject({ status: 'False', reason: 'Unreachable' });
  });
});
