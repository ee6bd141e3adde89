// spec.autoscaling on the real cluster, with the real metrics pipeline (metrics-server behind the
// aggregation layer, hack/cluster-up.sh) and the real HPA controller: a bounded load from real clients
// raises an McpServer from 1 to 3 replicas, and it returns to 1 when the load stops. During the whole run
// no call fails and every answer is the right one; a 2025-era session opened before the scale-up still
// works after the scale-down without re-initializing.
//
// Load: SDK v2 clients pinned to 2026-07-28 (no session: any pod serves them) on a new connection per
// request (kube-proxy then spreads them over the pods, as for many independent clients), and one SDK v1
// 2025-era session (relayed to its owner pod by whichever pod the Service picks).
// Figures (seconds to scale up and down, calls, failures, relays; replicas and calls per second over
// time) are printed and, with E2E_FIGURES_DIR set, written to autoscaling.json there (docs/autoscaling.md,
// chart: node bench/autoscaling-chart.mjs).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { NAMESPACE, condition, getJson, mcpServer, serviceUrl, waitFor, waitReady, waitServing } from './lib/kube.js';
import { fetchClose, textOf } from './lib/mcp.js';
import { applyManifest, deleteServer, ensureSystem } from './lib/system.js';

const NAME = `e2e-autoscale-${randomBytes(2).toString('hex')}`;
const WORKERS = 6;
const MAX = 3;

const manifest = JSON.stringify({
  apiVersion: 'mcp.sidecar.dev/v1alpha1',
  kind: 'McpServer',
  metadata: { name: NAME },
  spec: {
    command: ['npx', '-y', '@modelcontextprotocol/server-everything'],
    sessions: { mode: 'shared' },
    // A small CPU request, so that a load this machine can drive is "a lot" for the HPA.
    resources: { requests: { cpu: '20m', memory: '96Mi' }, limits: { memory: '384Mi' } },
    autoscaling: { minReplicas: 1, maxReplicas: MAX, targets: { cpuUtilizationPercent: 40 }, scaleDownStabilizationSeconds: 15 },
  },
});


interface Sample { t: number; replicas: number; ready: number; calls: number }

let url = '';
beforeAll(async () => {
  await ensureSystem();
  await applyManifest(manifest);
  await waitReady(NAME, 300_000);
  url = await serviceUrl(NAME, '');
  await waitServing(url);
}, 600_000);

afterAll(async () => {
  await deleteServer(NAME);
}, 180_000);

describe('autoscaling on CPU through metrics-server', () => {
  it('when a bounded load runs, then it scales 1 → 3, and back to 1 when the load stops, with no failed or wrong call', async () => {
    const started = Date.now();
    const secs = () => Math.round((Date.now() - started) / 100) / 10;
    // The 2025-era session, opened before any scaling.
    const legacy = new Client({ name: 'e2e-autoscale-legacy', version: '1.0.0' });
    await legacy.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { fetch: fetchClose }));
    const sessionId = (legacy.transport as StreamableHTTPClientTransport | undefined)?.sessionId;

    let calls = 0;
    const failures: string[] = [];
    let stop = false;
    const worker = async (i: number): Promise<void> => {
      const c = new ModernClient({ name: `e2e-autoscale-${String(i)}`, version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
      await c.connect(new ModernTransport(new URL(`${url}/mcp`), { fetch: fetchClose }));
      for (let n = 0; !stop; n++) {
        const message = `w${String(i)}-${String(n)}`;
        try {
          const text = textOf(await c.callTool({ name: 'echo', arguments: { message } }));
          if (!text.includes(message)) failures.push(`wrong answer to ${message}: ${text}`);
          calls++;
        } catch (err) {
          failures.push(`${message}: ${err instanceof Error ? err.message : String(err)}`);
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
      const m = await mcpServer(NAME);
      const s = { t: secs(), replicas: m.spec.replicas ?? 0, ready: m.status?.readyReplicas ?? 0, calls };
      samples.push(s);
      return s;
    };

    const load = Promise.all(Array.from({ length: WORKERS }, (_, i) => worker(i)));
    await legacyCall('before the scale-up');
    const up = await waitFor(`${String(MAX)} ready replicas under load`, 300_000, async () => {
      const s = await sample();
      return s.ready >= MAX ? s : undefined;
    }, 2_000);
    await legacyCall('at 3 replicas');
    stop = true;
    await load;
    const loadEnded = secs();
    const callsUnderLoad = calls;
    const down = await waitFor('back to 1 replica', 300_000, async () => {
      const s = await sample();
      return s.replicas === 1 && s.ready === 1 ? s : undefined;
    }, 2_000);
    await legacyCall('after the scale-down');
    const sameSession = (legacy.transport as StreamableHTTPClientTransport | undefined)?.sessionId;
    await legacy.close();

    const m = await mcpServer(NAME);
    const hpa = await getJson<{ status?: { conditions?: { type: string; status: string }[] } }>(['get', 'hpa', NAME, '-n', NAMESPACE]);
    const figures = {
      secondsToScaleUp: up.t,
      secondsToScaleDown: Math.round((down.t - loadEnded) * 10) / 10,
      callsUnderLoad,
      callsPerSecond: Math.round(callsUnderLoad / loadEnded),
      failures: failures.length,
      samples,
    };
    process.stdout.write(`autoscaling figures: ${JSON.stringify({ ...figures, samples: samples.length })}\n`);
    const dir = process.env.E2E_FIGURES_DIR;
    if (dir !== undefined && dir !== '') {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'autoscaling.json'), JSON.stringify(figures, null, 2));
    }
    expect(failures.slice(0, 5)).toEqual([]);
    expect(sameSession).toBe(sessionId);
    expect(condition(m, 'Autoscaling')).toMatchObject({ status: 'True', reason: 'ScalingActive' });
    expect(hpa.status?.conditions?.find((c) => c.type === 'ScalingActive')?.status).toBe('True');
    expect(callsUnderLoad).toBeGreaterThan(0);
  }, 900_000);
});
