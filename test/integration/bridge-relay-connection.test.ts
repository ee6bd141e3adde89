// Relaying to the session's owner with clients that open a connection per request (`Connection: close`,
// as many HTTP clients behind a Service do, so kube-proxy spreads them). Connection is hop-by-hop: the
// client's `close` is about its own connection to the relaying replica, not the replica's pooled
// connection to the owner. Found by test/e2e/30-modern-replicas (2025-era sessions, per-session mode).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningBridge } from '../../bridge/bridge.js';
import { FIXTURE, JSON_HEADERS, bridgeFor, rawSession } from './bridge-harness.js';

describe.each(['per-session', 'shared'] as const)('relays for clients that send Connection: close (%s mode)', (mode) => {
  let owner: RunningBridge;
  let relay: RunningBridge;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bridge-key-'));
    writeFileSync(join(dir, 'key'), `relay connection key (${mode})\n`);
    const flags = ['--session-key-file', join(dir, 'key'), '--session-mode', mode];
    [owner, relay] = (await Promise.all([1, 2].map(() => bridgeFor(FIXTURE, flags)))) as [RunningBridge, RunningBridge];
  });
  afterAll(async () => {
    await Promise.all([owner.close(0), relay.close(0)]);
  });

  it('when relayed calls answered as SSE streams alternate with plain ones, then every one of them succeeds', async () => {
    const session = await rawSession(owner.url);
    const headers = { ...JSON_HEADERS, connection: 'close', 'mcp-session-id': session, 'mcp-protocol-version': '2025-11-25' };
    const failures: string[] = [];
    for (let i = 0; i < 10; i++) {
      // A progress token makes the owner answer with an SSE stream; echo is answered as plain JSON.
      const params = i % 2 === 0
        ? { name: 'progress', arguments: { steps: 1 }, _meta: { progressToken: i } }
        : { name: 'echo', arguments: { message: `m${String(i)}` } };
      const res = await fetch(relay.url, { method: 'POST', headers, body: JSON.stringify({ jsonrpc: '2.0', id: i + 1, method: 'tools/call', params }) });
      const text = await res.text();
      if (res.status !== 200 || !text.includes(i % 2 === 0 ? 'done 1' : `m${String(i)}`)) {
        failures.push(`call ${String(i)}: ${String(res.status)} ${res.headers.get('content-type') ?? 'no content type'} ${JSON.stringify(text.slice(0, 120))}`);
      }
    }
    expect(failures).toEqual([]);
    const relayed = (await relay.metrics.relayed.get()).values.find((v) => v.labels.reason === 'session')?.value;
    expect(relayed).toBe(10);
  });
});
