// spec.autoscaling on the real cluster, with the real metrics pipelines and the real HPA controller: a
// bounded load from real clients raises an McpServer to several replicas, and it returns to 1 when the
// load stops. During the whole run no call fails and every answer is the right one; a 2025-era session
// opened before the scale-up still works after the scale-down without re-initializing. Two targets:
//  - CPU, read from metrics-server (behind the aggregation layer, hack/cluster-up.sh): the operator's HPA;
//  - in-flight requests per pod, the bridge's gauge read from Prometheus (samples/prometheus/) by KEDA,
//    whose adapter serves the external metrics API: the operator's ScaledObject, KEDA's HPA (ADR 0106).
//
// Load: SDK v2 clients pinned to 2026-07-28 (no session: any pod serves them) on a new connection per
// request (kube-proxy then spreads them over the pods, as for many independent clients), and one SDK v1
// 2025-era session (relayed to its owner pod by whichever pod the Service picks).
// Figures (seconds to scale up and down, calls, failures; replicas and calls per second over time) are
// printed and, with E2E_FIGURES_DIR set, written to autoscaling.json / autoscaling-in-flight.json there
// (docs/autoscaling.md, chart: node bench/autoscaling-chart.mjs).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { NAMESPACE, condition, getJson, mcpServer, serviceUrl, waitFor, waitReady, waitServing } from './lib/kube.js';
import { fetchClose, textOf } from './lib/mcp.js';
import { applyManifest, deleteServer, ensureSystem } from './lib/system.js';

const suffix = randomBytes(2).toString('hex');

function manifest(name: string, autoscaling: Record<string, unknown>): string {
  return JSON.stringify({
    apiVersion: 'mcp.sidecar.dev/v1alpha1',
    kind: 'McpServer',
    metadata: { name },
    spec: {
      command: ['npx', '-y', '@modelcontextprotocol/server-everything'],
      sessions: { mode: 'shared' },
      // A small CPU request, so that a load this machine can drive is "a lot" for the HPA.
      resources: { requests: { cpu: '20m', memory: '96Mi' }, limits: { memory: '384Mi' } },
      autoscaling,
    },
  });
}

interface Sample { t: number; replicas: number; ready: number; calls: number }

/** One call of a load worker; returns what was wrong with the answer, if anything. */
type LoadCall = (client: ModernClient, worker: number, n: number) => Promise<string | undefined>;

interface Scenario {
  name: string;
  url: string;
  workers: number;
  /** Ready replicas that count as "scaled up". */
  up: number;
  call: LoadCall;
  figuresFile: string;
}

/** The load, the 2025-era session, the samples and the figures: the same for every target. */
async function runScenario(s: Scenario) {
  const started = Date.now();
  const secs = () => Math.round((Date.now() - started) / 100) / 10;
  // The 2025-era session, opened before any scaling.
  const legacy = new Client({ name: 'e2e-autoscale-legacy', version: '1.0.0' });
  await legacy.connect(new StreamableHTTPClientTransport(new URL(`${s.url}/mcp`), { fetch: fetchClose }));
  const sessionId = (legacy.transport as StreamableHTTPClientTransport | undefined)?.sessionId;

  let calls = 0;
  const failures: string[] = [];
  let stop = false;
  const worker = async (i: number): Promise<void> => {
    const c = new ModernClient({ name: `e2e-autoscale-${String(i)}`, version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await c.connect(new ModernTransport(new URL(`${s.url}/mcp`), { fetch: fetchClose }));
    for (let n = 0; !stop; n++) {
      try {
        const wrong = await s.call(c, i, n);
        if (wrong !== undefined) failures.push(wrong);
        calls++;
      } catch (err) {
        failures.push(`w${String(i)}-${String(n)}: ${err instanceof Error ? err.message : String(err)}`);
      }
    }
    await c.close();
  };
  const legacyCall = async (what: string): Promise<void> => {
    const text = textOf(await legacy.callTool({ name: 'echo', arguments: { message: what } }));
    if (!text.includes(what)) failures.push(`legacy session: wrong answer to ${what}`);
  };

  const samples: Sample[] = [];
  const sample = async (): Promise<Sample> => {
    const m = await mcpServer(s.name);
    const x = { t: secs(), replicas: m.spec.replicas ?? 0, ready: m.status?.readyReplicas ?? 0, calls };
    samples.push(x);
    return x;
  };

  const load = Promise.all(Array.from({ length: s.workers }, (_, i) => worker(i)));
  await legacyCall('before the scale-up');
  const up = await waitFor(`${String(s.up)} ready replicas under load`, 300_000, async () => {
    const x = await sample();
    return x.ready >= s.up ? x : undefined;
  }, 2_000);
  await legacyCall(`at ${String(up.ready)} replicas`);
  stop = true;
  await load;
  const loadEnded = secs();
  const callsUnderLoad = calls;
  const down = await waitFor('back to 1 replica', 300_000, async () => {
    const x = await sample();
    return x.replicas === 1 && x.ready === 1 ? x : undefined;
  }, 2_000);
  await legacyCall('after the scale-down');
  const sameSession = (legacy.transport as StreamableHTTPClientTransport | undefined)?.sessionId;
  await legacy.close();

  const figures = {
    secondsToScaleUp: up.t,
    replicasReached: Math.max(...samples.map((x) => x.ready)),
    secondsToScaleDown: Math.round((down.t - loadEnded) * 10) / 10,
    callsUnderLoad,
    callsPerSecond: Math.round(callsUnderLoad / loadEnded),
    failures: failures.length,
    samples,
  };
  process.stdout.write(`${s.figuresFile} figures: ${JSON.stringify({ ...figures, samples: samples.length })}\n`);
  const dir = process.env.E2E_FIGURES_DIR;
  if (dir !== undefined && dir !== '') {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, s.figuresFile), JSON.stringify(figures, null, 2));
  }
  return { figures, failures, sessionId, sameSession };
}

type HpaObj = { status?: { conditions?: { type: string; status: string }[] } };

/** The McpServer of one describe block: created (Ready, serving) before its tests, deleted after them. */
function autoscaledServer(name: string, autoscaling: Record<string, unknown>): { url: () => string } {
  let url = '';
  beforeAll(async () => {
    await ensureSystem();
    await applyManifest(manifest(name, autoscaling));
    await waitReady(name, 300_000);
    url = await serviceUrl(name, '');
    await waitServing(url);
  }, 600_000);
  afterAll(async () => {
    await deleteServer(name);
  }, 180_000);
  return { url: () => url };
}

describe('autoscaling on CPU through metrics-server', () => {
  const NAME = `e2e-autoscale-${suffix}`;
  const server = autoscaledServer(NAME, { minReplicas: 1, maxReplicas: 3, targets: { cpuUtilizationPercent: 40 }, scaleDownStabilizationSeconds: 15 });

  it('when a bounded load runs, then it scales 1 → 3, and back to 1 when the load stops, with no failed or wrong call', async () => {
    const echo: LoadCall = async (c, i, n) => {
      const message = `w${String(i)}-${String(n)}`;
      const text = textOf(await c.callTool({ name: 'echo', arguments: { message } }));
      return text.includes(message) ? undefined : `wrong answer to ${message}: ${text}`;
    };
    const r = await runScenario({ name: NAME, url: server.url(), workers: 6, up: 3, call: echo, figuresFile: 'autoscaling.json' });
    const m = await mcpServer(NAME);
    const hpa = await getJson<HpaObj>(['get', 'hpa', NAME, '-n', NAMESPACE]);
    expect(r.failures.slice(0, 5)).toEqual([]);
    expect(r.sameSession).toBe(r.sessionId);
    expect(condition(m, 'Autoscaling')).toMatchObject({ status: 'True', reason: 'ScalingActive' });
    expect(hpa.status?.conditions?.find((c) => c.type === 'ScalingActive')?.status).toBe('True');
    expect(r.figures.callsUnderLoad).toBeGreaterThan(0);
  }, 900_000);
});

describe('autoscaling on in-flight requests through KEDA (Prometheus)', () => {
  const NAME = `e2e-inflight-${suffix}`;
  // Each worker keeps one call of about a second in flight: 8 workers are 8 in flight, 2 per pod is the
  // target, so the autoscaler asks for 4 (the maximum).
  const WORKERS = 8;
  const server = autoscaledServer(NAME, { minReplicas: 1, maxReplicas: 4, targets: { inFlightRequestsPerPod: 2 }, scaleDownStabilizationSeconds: 15 });

  it('when a bounded load runs, then it scales 1 → at least 3 (of 4), and back to 1 when the load stops, with no failed or wrong call', async () => {
    // The duration is the call's signature: the answer names it, so a mixed-up answer is caught.
    const slow: LoadCall = async (c, i, n) => {
      const duration = 1 + (i * 10_000 + (n % 10_000)) / 1e7;
      const text = textOf(await c.callTool({ name: 'trigger-long-running-operation', arguments: { duration, steps: 1 } }));
      return text.includes(`Duration: ${String(duration)} seconds`) ? undefined : `wrong answer to w${String(i)}-${String(n)}: ${text}`;
    };
    const so = await getJson<{ spec: { scaleTargetRef: { kind: string; name: string } } }>(['get', 'scaledobject', NAME, '-n', NAMESPACE]);
    expect(so.spec.scaleTargetRef).toMatchObject({ kind: 'McpServer', name: NAME });
    const r = await runScenario({ name: NAME, url: server.url(), workers: WORKERS, up: 3, call: slow, figuresFile: 'autoscaling-in-flight.json' });
    const m = await mcpServer(NAME);
    const hpa = await getJson<HpaObj>(['get', 'hpa', `keda-hpa-${NAME}`, '-n', NAMESPACE]);
    expect(r.failures.slice(0, 5)).toEqual([]);
    expect(r.figures.replicasReached).toBeGreaterThanOrEqual(3);
    expect(r.sameSession).toBe(r.sessionId);
    expect(condition(m, 'Autoscaling')).toMatchObject({ status: 'True', reason: 'ScalingActive' });
    expect(hpa.status?.conditions?.find((c) => c.type === 'ScalingActive')?.status).toBe('True');
    expect(r.figures.callsUnderLoad).toBeGreaterThan(0);
  }, 900_000);
});

describe('autoscaling on sessions per pod through KEDA (Prometheus)', () => {
  const NAME = `e2e-sessions-${suffix}`;
  // 6 open 2025-era sessions at a target of 2 per pod: the autoscaler asks for 3 (the maximum).
  const SESSIONS = 6;
  const server = autoscaledServer(NAME, { minReplicas: 1, maxReplicas: 3, targets: { sessionsPerPod: 2 }, scaleDownStabilizationSeconds: 15 });

  it('when clients hold sessions open, then it scales 1 → 3; every session keeps working on the way; when they end, it returns to 1', async () => {
    const started = Date.now();
    const secs = () => Math.round((Date.now() - started) / 100) / 10;
    const clients: Client[] = [];
    const transports: StreamableHTTPClientTransport[] = [];
    for (let i = 0; i < SESSIONS; i++) {
      const c = new Client({ name: `e2e-sessions-${String(i)}`, version: '1.0.0' });
      const t = new StreamableHTTPClientTransport(new URL(`${server.url()}/mcp`), { fetch: fetchClose });
      await c.connect(t);
      clients.push(c);
      transports.push(t);
    }
    const round = async (what: string): Promise<string[]> =>
      (await Promise.all(clients.map(async (c, i) => {
        const message = `${what}-${String(i)}`;
        const text = textOf(await c.callTool({ name: 'echo', arguments: { message } }));
        return text.includes(message) ? [] : [`session ${String(i)}: wrong answer to ${message}: ${text}`];
      }))).flat();
    expect(await round('opened')).toEqual([]);
    const up = await waitFor('3 ready replicas while the sessions are open', 300_000, async () => {
      const m = await mcpServer(NAME);
      return (m.status?.readyReplicas ?? 0) >= 3 ? secs() : undefined;
    }, 2_000);
    // Spread over 3 pods now: requests land anywhere and are relayed to the sessions' owner.
    expect(await round('at-3')).toEqual([]);
    // Ended as a client ends a session (DELETE), not left to the idle timeout.
    await Promise.all(transports.map((t) => t.terminateSession()));
    await Promise.all(clients.map((c) => c.close()));
    const closed = secs();
    const down = await waitFor('back to 1 replica once the sessions ended', 300_000, async () => {
      const m = await mcpServer(NAME);
      return m.spec.replicas === 1 && m.status?.readyReplicas === 1 ? secs() : undefined;
    }, 2_000);
    const so = await getJson<{ spec: { triggers: { metadata?: { query?: string } }[] } }>(['get', 'scaledobject', NAME, '-n', NAMESPACE]);
    expect(so.spec.triggers.map((t) => t.metadata?.query ?? '').join(' ')).toContain('mcp_bridge_sessions_active');
    process.stdout.write(`sessions-per-pod figures: ${JSON.stringify({ sessions: SESSIONS, secondsToScaleUp: up, secondsToScaleDown: Math.round((down - closed) * 10) / 10 })}\n`);
  }, 900_000);
});
