import { pino } from 'pino';
import { FakeClock } from '../../test/lib/fake-clock.js';
import type { ProbeResult } from './probe-result.js';
import type { ProbeTarget } from './probe-target.js';
import { Prober, type ProberOptions } from './prober.js';

const OK: ProbeResult = { ok: true, method: 'discover', name: 's', version: '1', protocolVersions: ['2026-07-28'] };
const DOWN: ProbeResult = { ok: false, reason: 'Unreachable', message: 'ECONNREFUSED' };
const BAD: ProbeResult = { ok: false, reason: 'NotAnMcpServer', message: 'html' };
const target = (fingerprint = 'h1'): ProbeTarget => ({ url: 'http://10.0.0.1:8080/mcp', fingerprint });

/** A probe whose answers the test hands out one by one. */
class ManualProbe {
  calls: { target: ProbeTarget; signal: AbortSignal; answer: (r: ProbeResult) => void }[] = [];
  fn = (t: ProbeTarget, signal: AbortSignal): Promise<ProbeResult> =>
    new Promise((resolve) => {
      this.calls.push({ target: t, signal, answer: resolve });
      signal.addEventListener('abort', () => {
        resolve(DOWN);
      });
    });
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

function setup(over: Partial<ProberOptions> = {}) {
  const clock = new FakeClock();
  const probe = new ManualProbe();
  const notified: string[] = [];
  const prober = new Prober({
    probe: probe.fn,
    notify: (k) => notified.push(k),
    clock,
    intervalMs: 600_000,
    retryBaseMs: 10_000,
    retryMaxMs: 600_000,
    graceAttempts: 3,
    graceMs: 1000,
    timeoutMs: 10_000,
    concurrency: 2,
    log: pino({ level: 'silent' }),
    ...over,
  });
  return { clock, probe, notified, prober };
}

describe('Prober', () => {
  it('when a target is observed, then one probe runs (however often it is asked), and the result comes back with a notification', async () => {
    const { probe, notified, prober } = setup();
    expect(prober.observe('ns/a', target())).toBeUndefined();
    expect(prober.observe('ns/a', target())).toBeUndefined();
    expect(probe.calls).toHaveLength(1);
    expect(prober.busy()).toBe(true);
    probe.calls[0]?.answer(OK);
    await flush();
    expect(notified).toEqual(['ns/a']);
    expect(prober.busy()).toBe(false);
    expect(prober.observe('ns/a', target())).toEqual(OK);
    expect(probe.calls).toHaveLength(1);
  });

  it('when the fingerprint changes, then the old result is not returned and a new probe runs', async () => {
    const { probe, prober } = setup();
    prober.observe('ns/a', target('h1'));
    probe.calls[0]?.answer(OK);
    await flush();
    expect(prober.observe('ns/a', target('h2'))).toBeUndefined();
    expect(probe.calls.map((c) => c.target.fingerprint)).toEqual(['h1', 'h2']);
  });

  it('when the interval passes, then the key is queued again and the next observe probes again (the old result stands meanwhile)', async () => {
    const { clock, probe, notified, prober } = setup();
    prober.observe('ns/a', target());
    probe.calls[0]?.answer(OK);
    await flush();
    clock.advance(599_999);
    expect(notified).toEqual(['ns/a']);
    clock.advance(1);
    expect(notified).toEqual(['ns/a', 'ns/a']);
    expect(prober.observe('ns/a', target())).toEqual(OK);
    expect(probe.calls).toHaveLength(2);
  });

  it('when the interval is 0, then a success is never rechecked', async () => {
    const { clock, probe, prober } = setup({ intervalMs: 0 });
    prober.observe('ns/a', target());
    probe.calls[0]?.answer(OK);
    await flush();
    expect(clock.pending()).toBe(0);
    clock.advance(10 * 86_400_000);
    prober.observe('ns/a', target());
    expect(probe.calls).toHaveLength(1);
  });

  it('when the server is unreachable, then it is retried 1 s and 2 s later before Unreachable is reported', async () => {
    const { clock, probe, prober } = setup();
    prober.observe('ns/a', target());
    probe.calls[0]?.answer(DOWN);
    await flush();
    expect(prober.observe('ns/a', target())).toBeUndefined();
    clock.advance(1000);
    prober.observe('ns/a', target());
    probe.calls[1]?.answer(DOWN);
    await flush();
    clock.advance(2000);
    expect(prober.observe('ns/a', target())).toBeUndefined();
    probe.calls[2]?.answer(DOWN);
    await flush();
    expect(prober.observe('ns/a', target())).toEqual(DOWN);
    expect(probe.calls).toHaveLength(3);
  });

  it('when a probe fails otherwise, then it is reported at once and retried with backoff (10 s, 20 s, ...)', async () => {
    const { clock, probe, prober } = setup();
    prober.observe('ns/a', target());
    probe.calls[0]?.answer(BAD);
    await flush();
    expect(prober.observe('ns/a', target())).toEqual(BAD);
    clock.advance(9_999);
    prober.observe('ns/a', target());
    expect(probe.calls).toHaveLength(1);
    clock.advance(1);
    prober.observe('ns/a', target());
    probe.calls[1]?.answer(BAD);
    await flush();
    clock.advance(19_999);
    prober.observe('ns/a', target());
    expect(probe.calls).toHaveLength(2);
    clock.advance(1);
    prober.observe('ns/a', target());
    expect(probe.calls).toHaveLength(3);
  });

  it('when more servers want probing than the concurrency allows, then the rest wait their turn', async () => {
    const { probe, prober } = setup({ concurrency: 2 });
    for (const k of ['a', 'b', 'c']) prober.observe(`ns/${k}`, target());
    expect(probe.calls).toHaveLength(2);
    probe.calls[0]?.answer(OK);
    await flush();
    expect(probe.calls).toHaveLength(3);
  });

  it('when a probe takes longer than the timeout, then it is aborted', async () => {
    const { clock, probe, prober } = setup();
    prober.observe('ns/a', target());
    clock.advance(10_000);
    expect(probe.calls[0]?.signal.aborted).toBe(true);
    await flush();
    expect(prober.busy()).toBe(false);
  });

  it('when an McpServer is forgotten during its probe, then the result is dropped and nothing is queued for it', async () => {
    const { clock, probe, notified, prober } = setup();
    prober.observe('ns/a', target());
    prober.forget('ns/a');
    expect(probe.calls[0]?.signal.aborted).toBe(true);
    await flush();
    expect(notified).toEqual([]);
    expect(clock.pending()).toBe(0);
  });

  it('when stopped, then running probes are aborted, timers cleared, and no new probe starts', async () => {
    const { clock, probe, prober } = setup();
    prober.observe('ns/a', target());
    await prober.stop();
    expect(probe.calls[0]?.signal.aborted).toBe(true);
    prober.observe('ns/b', target());
    expect(probe.calls).toHaveLength(1);
    expect(clock.pending()).toBe(0);
  });

  it('when the probe function throws, then the probe counts as ProbeFailed', async () => {
    const { prober } = setup({ probe: () => Promise.reject(new Error('bug')) });
    prober.observe('ns/a', target());
    await flush();
    expect(prober.observe('ns/a', target())).toEqual({ ok: false, reason: 'ProbeFailed', message: 'bug' });
  });
});
