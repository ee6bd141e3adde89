import { pino } from 'pino';
import type { Lease } from '../api/kube-types.js';
import type { LeaseRecord } from '../kube/kube-client.js';
import { LeaderElector, type LeaseStore } from './leader-election.js';

/** An in-memory Lease with the apiserver's optimistic concurrency (resourceVersion must match). */
class FakeLeaseStore implements LeaseStore {
  lease: Lease | undefined;
  private rv = 0;
  failing = false;

  readLease(): Promise<Lease | undefined> {
    if (this.failing) return Promise.reject(new Error('apiserver unreachable'));
    return Promise.resolve(this.lease === undefined ? undefined : structuredClone(this.lease));
  }

  writeLease(_ns: string, name: string, r: LeaseRecord, resourceVersion: string | undefined): Promise<Lease | undefined> {
    if (this.failing) return Promise.reject(new Error('apiserver unreachable'));
    if ((resourceVersion === undefined) !== (this.lease === undefined)) return Promise.resolve(undefined);
    if (resourceVersion !== undefined && resourceVersion !== this.lease?.metadata?.resourceVersion) return Promise.resolve(undefined);
    this.lease = {
      metadata: { name, resourceVersion: String(++this.rv) },
      spec: { holderIdentity: r.holderIdentity, leaseDurationSeconds: r.leaseDurationSeconds, leaseTransitions: r.leaseTransitions },
    };
    return Promise.resolve(structuredClone(this.lease));
  }
}

const opts = (identity: string) => ({ namespace: 'ns', name: 'lease', identity, leaseDurationMs: 1000, renewDeadlineMs: 600, retryPeriodMs: 50 });
const log = pino({ level: 'silent' });

async function until(what: string, cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('LeaderElector', () => {
  it('when two candidates campaign, then exactly one leads; when it stops, then the other takes over at once', async () => {
    const store = new FakeLeaseStore();
    const a = new LeaderElector(store, opts('a'), log);
    const b = new LeaderElector(store, opts('b'), log);
    let both = false;
    const check = setInterval(() => {
      if (a.isLeader() && b.isLeader()) both = true;
    }, 5);
    const noop = { onStartedLeading: () => undefined, onStoppedLeading: () => undefined };
    a.run(noop);
    b.run(noop);
    await until('a leader', () => a.isLeader() || b.isLeader());
    const [leader, standby] = a.isLeader() ? [a, b] : [b, a];
    const started = Date.now();
    await leader.stop();
    expect(store.lease?.spec?.holderIdentity).toBe('');
    await until('the standby to lead', () => standby.isLeader());
    // Released, so the standby does not wait out the lease duration.
    expect(Date.now() - started).toBeLessThan(1000);
    await standby.stop();
    clearInterval(check);
    expect(both).toBe(false);
  });

  it('when the holder vanishes without releasing, then a standby waits a full lease duration before taking over', async () => {
    const store = new FakeLeaseStore();
    await store.writeLease('ns', 'lease', { holderIdentity: 'ghost', leaseDurationSeconds: 1, acquireTimeMs: 0, renewTimeMs: 0, leaseTransitions: 0 }, undefined);
    const b = new LeaderElector(store, opts('b'), log);
    const t0 = Date.now();
    b.run({ onStartedLeading: () => undefined, onStoppedLeading: () => undefined });
    await until('b to lead', () => b.isLeader());
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1000);
    expect(store.lease?.spec?.leaseTransitions).toBe(1);
    await b.stop();
  });

  it('when the leader cannot renew within the renew deadline, then it steps down', async () => {
    const store = new FakeLeaseStore();
    const a = new LeaderElector(store, opts('a'), log);
    let stopped = false;
    a.run({ onStartedLeading: () => undefined, onStoppedLeading: () => (stopped = true) });
    await until('a to lead', () => a.isLeader());
    store.failing = true;
    await until('a to step down', () => stopped);
    expect(a.isLeader()).toBe(false);
    await a.stop();
  });
});
