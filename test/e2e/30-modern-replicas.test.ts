// Protocol 2026-07-28 ("modern": no session, no initialize) on McpServers with 3 replicas behind their
// plain ClusterIP Service, in both session modes. A modern request has no owner, so the pod the Service
// picks serves it: N calls spread over every pod with zero relays. 2025-era sessions through the same
// Service still work, each request relayed to the pod owning its session when it lands elsewhere.
// Figures (calls and relays per pod) are printed for docs/e2e.md.
//
// Clients: the official SDK v2 client pinned to 2026-07-28, and the SDK v1 client for 2025-era sessions.
// Both send `Connection: close` (their `fetch` option): a pooled keep-alive connection is pinned to one
// pod by conntrack, so one client on one connection would reach one pod whatever the bridge does; with a
// connection per request, kube-proxy picks a pod for each request, as for many independent clients.
import { randomBytes } from 'node:crypto';
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { metricValue } from '../lib/prometheus.js';
import { endpointsSettled, serviceUrl, waitReady, waitServing, type PodObj } from './lib/kube.js';
import { fetchClose, textOf } from './lib/mcp.js';
import { applyManifest, deleteServer, ensureSystem } from './lib/system.js';

const MODERN_CALLS = 30;
const SESSIONS = 3;
const CALLS_PER_SESSION = 6;
const tag = randomBytes(2).toString('hex');
const SERVERS = [
  { mode: 'shared', name: `e2e-modern-sh-${tag}` },
  { mode: 'perSession', name: `e2e-modern-ps-${tag}` },
] as const;

const manifest = (name: string, mode: string) => JSON.stringify({
  apiVersion: 'mcp.sidecar.dev/v1alpha1',
  kind: 'McpServer',
  metadata: { name },
  spec: { command: ['npx', '-y', '@modelcontextprotocol/server-everything'], replicas: 3, sessions: { mode } },
});


interface PodFigures { pod: string; modern: number; toolCalls: number; relayedSession: number; relayedState: number; relayedAll: number }

async function figuresOf(pod: PodObj): Promise<PodFigures> {
  const res = await fetch(`http://${pod.status?.podIP ?? ''}:8080/metrics`, { signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${pod.metadata.name} /metrics: ${String(res.status)}`);
  return {
    pod: pod.metadata.name,
    modern: metricValue(text, 'mcp_bridge_http_requests_total', { era: 'modern' }),
    toolCalls: metricValue(text, 'mcp_bridge_messages_total', { direction: 'to_server', method: 'tools/call' }),
    relayedSession: metricValue(text, 'mcp_bridge_relayed_total', { reason: 'session' }),
    relayedState: metricValue(text, 'mcp_bridge_relayed_total', { reason: 'request_state' }),
    relayedAll: metricValue(text, 'mcp_bridge_relayed_total'),
  };
}

/** Runs a client step; an HTTP failure names its status (the SDK's message alone may not). */
async function step<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    const detail = typeof code === 'number' || typeof code === 'string' ? ` (code ${String(code)})` : '';
    throw new Error(`${what}: ${err instanceof Error ? err.message : String(err)}${detail}`);
  }
}

const delta = (after: PodFigures[], before: PodFigures[], key: keyof Omit<PodFigures, 'pod'>) =>
  after.map((a, i) => a[key] - (before[i]?.[key] ?? 0));

const urls = new Map<string, string>();
beforeAll(async () => {
  await ensureSystem();
  for (const s of SERVERS) await applyManifest(manifest(s.name, s.mode));
  await Promise.all(SERVERS.map(async (s) => {
    await waitReady(s.name, 300_000);
    const url = await serviceUrl(s.name, '');
    await waitServing(url);
    urls.set(s.name, url);
  }));
}, 420_000);
afterAll(async () => {
  await Promise.all(SERVERS.map((s) => deleteServer(s.name).catch(() => undefined)));
}, 180_000);

describe.each(SERVERS)('2026-07-28 on 3 replicas ($mode)', ({ name }) => {
  let pods: PodObj[] = [];

  it(`when ${String(MODERN_CALLS)} modern tool calls go through the Service, then every pod serves some of them and no pod relays any`, async () => {
    pods = await endpointsSettled(name, 3);
    const before = await Promise.all(pods.map(figuresOf));
    const client = new ModernClient({ name: 'e2e-modern', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await client.connect(new ModernTransport(new URL(`${urls.get(name) ?? ''}/mcp`), { fetch: fetchClose }));
    try {
      for (let i = 0; i < MODERN_CALLS; i++) {
        const message = `modern-${String(i)}`;
        expect(textOf(await step(`modern call ${String(i)}`, () => client.callTool({ name: 'echo', arguments: { message } })))).toContain(message);
      }
    } finally {
      await client.close();
    }
    const after = await Promise.all(pods.map(figuresOf));
    const calls = delta(after, before, 'toolCalls');
    const modern = delta(after, before, 'modern');
    console.log(`${name} modern: tool calls per pod ${JSON.stringify(calls)}, modern POSTs per pod ${JSON.stringify(modern)}, ` +
      `relays per pod (all reasons, since pod start) ${JSON.stringify(after.map((a) => a.relayedAll))}`);
    expect(calls.reduce((a, b) => a + b, 0)).toBe(MODERN_CALLS);
    expect(calls.every((c) => c > 0)).toBe(true);
    expect(modern.every((m) => m > 0)).toBe(true);
    // The pods are this test's own: nothing was ever relayed on any of them.
    expect(after.map((a) => a.relayedAll)).toEqual([0, 0, 0]);
  }, 180_000);

  it('when 2025-era sessions (SDK v1) go through the same Service, then their calls (plain and with progress) work, relayed to their owners', async () => {
    const before = await Promise.all(pods.map(figuresOf));
    for (let s = 0; s < SESSIONS; s++) {
      const client = new Client({ name: 'e2e-legacy', version: '1.0.0' });
      await step(`session ${String(s)}: connect`, () => client.connect(new StreamableHTTPClientTransport(new URL(`${urls.get(name) ?? ''}/mcp`), { fetch: fetchClose })));
      try {
        for (let i = 0; i < CALLS_PER_SESSION; i += 2) {
          const message = `legacy-${String(s)}-${String(i)}`;
          expect(textOf(await step(`session ${String(s)}: echo ${String(i)}`, () => client.callTool({ name: 'echo', arguments: { message } })))).toContain(message);
          // With progress, the answer is an SSE stream (relayed as one when the call lands on another pod).
          let progress = 0;
          const op = await step(`session ${String(s)}: call ${String(i + 1)} with progress`, () =>
            client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 0.1, steps: 2 } }, undefined, { onprogress: () => { progress++; } }));
          expect(textOf(op)).toContain('Long running operation completed');
          expect(progress).toBeGreaterThan(0);
        }
      } finally {
        await client.close();
      }
    }
    const after = await Promise.all(pods.map(figuresOf));
    const relayed = delta(after, before, 'relayedSession');
    console.log(`${name} legacy: ${String(SESSIONS)} sessions x ${String(CALLS_PER_SESSION)} calls, session relays per pod ${JSON.stringify(relayed)}, ` +
      `tool calls per pod ${JSON.stringify(delta(after, before, 'toolCalls'))}`);
    expect(relayed.reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
    expect(delta(after, before, 'relayedState')).toEqual([0, 0, 0]);
    expect(delta(after, before, 'toolCalls').reduce((a, b) => a + b, 0)).toBe(SESSIONS * CALLS_PER_SESSION);
  }, 180_000);
});
