// The HTTP edge under hostile input: FUZZ_COUNT (default 20,000) malformed requests, split over an
// in-process bridge in each session mode (test/lib/http-fuzz.ts: bad methods, headers, JSON, huge or
// odd ids, wrong content types, truncated and chunked bodies, random and real session ids, both eras).
// No crash (the bridge still serves a real SDK client afterwards), no hang (each request answered or
// closed within its deadline), no 5xx but 503, memory and processes bounded. A soak:
// FUZZ_COUNT=100000 (and FUZZ_SEED=n to replay a run).
import type { RunningBridge } from '../../bridge/bridge.js';
import { fuzz } from '../lib/http-fuzz.js';
import { FIXTURE, bridgeFor, childPids, rawSession, streamableClient, textOf } from './bridge-harness.js';

const COUNT = Number(process.env.FUZZ_COUNT ?? 20_000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261203);
const MiB = 1024 * 1024;
const FLAGS = ['--max-sessions', '4', '--modern-workers', '2', '--body-timeout', '2', '--headers-timeout', '2', '--request-timeout', '5', '--vanished-after', '0', '--log-level', 'silent'];

describe.each([
  ['per-session', [] as string[]],
  ['shared', ['--session-mode', 'shared']],
])('HTTP fuzzing (%s mode)', (mode, extra) => {
  let bridge: RunningBridge;
  beforeAll(async () => {
    bridge = await bridgeFor(FIXTURE, [...FLAGS, ...extra]);
  });
  afterAll(() => bridge.close(0));

  it(`when ${COUNT / 2} malformed requests arrive, then each is answered or closed in time, nothing but 503 is a 5xx, memory and processes stay bounded, and a real client still works`, async () => {
    const sessions = [await rawSession(bridge.url), await rawSession(bridge.url)];
    const childrenBefore = childPids().length;
    const rssBefore = process.memoryUsage.rss();
    const started = Date.now();
    const { tally, slowestMs } = await fuzz({ port: bridge.port, sessions: () => sessions }, COUNT / 2, SEED + (mode === 'shared' ? 1 : 0), { deadlineMs: 10_000 });
    const seconds = (Date.now() - started) / 1000;
    const rssGrowth = (process.memoryUsage.rss() - rssBefore) / MiB;
    // One line for docs/reliability.md's figures.
    console.log(`fuzz ${mode}: ${COUNT / 2} requests in ${seconds.toFixed(1)} s, slowest ${slowestMs} ms, RSS ${rssGrowth >= 0 ? '+' : ''}${rssGrowth.toFixed(0)} MiB, outcomes ${JSON.stringify(tally)}`);

    const total = Object.values(tally).reduce((a, b) => a + b, 0);
    expect(total).toBe(COUNT / 2);
    const fiveXX = Object.keys(tally).filter((k) => /^5\d\d$/.test(k) && k !== '503');
    expect(fiveXX).toEqual([]);
    expect(rssGrowth).toBeLessThan(256);
    expect(bridge.hub.size).toBeLessThanOrEqual(mode === 'shared' ? 1000 : 4);
    // Sessions (≤4), modern workers (≤2, one spare), the shared process: never one per request.
    expect(childPids().length - childrenBefore).toBeLessThanOrEqual(8);

    expect((await fetch(bridge.url.replace('/mcp', '/healthz'))).status).toBe(200);
    const { client } = await streamableClient(bridge.url);
    expect(textOf(await client.callTool({ name: 'echo', arguments: { message: 'still here' } }))).toBe('still here');
    await client.close();
  }, 300_000);
});
