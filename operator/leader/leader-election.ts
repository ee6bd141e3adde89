// Lease-based leader election (the protocol of client-go's leaderelection): one holder at a time; a
// candidate takes the lease only after it has seen the same lease record, unrenewed, for a whole lease
// duration on its own clock (so clock skew between replicas does not matter); every write carries the
// resourceVersion it read, so two candidates can never both win a round. The leader renews every retry
// period and steps down if it cannot renew within the renew deadline. On stop it releases the lease.
import type { Lease } from '../api/kube-types.js';
import type { Logger } from 'pino';
import type { LeaseRecord } from '../kube/kube-client.js';

export interface LeaseStore {
  readLease(namespace: string, name: string): Promise<Lease | undefined>;
  writeLease(namespace: string, name: string, record: LeaseRecord, resourceVersion: string | undefined): Promise<Lease | undefined>;
}

export interface LeaderElectionOptions {
  namespace: string;
  name: string;
  identity: string;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}

export interface LeaderCallbacks {
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
}

export class LeaderElector {
  private observedVersion: string | undefined;
  private observedAt = 0;
  private leading = false;
  private stopped = false;
  private lastRenew = 0;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly store: LeaseStore,
    private readonly opts: LeaderElectionOptions,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  private isStopped(): boolean {
    return this.stopped;
  }

  isLeader(): boolean {
    return this.leading;
  }

  run(callbacks: LeaderCallbacks): void {
    this.loop = this.runLoop(callbacks);
  }

  /** Stops campaigning; releases the lease if held. Resolves when the loop has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.wake?.();
    await this.loop;
  }

  private async runLoop(cb: LeaderCallbacks): Promise<void> {
    while (!this.stopped) {
      let ok: boolean;
      try {
        ok = await this.tryAcquireOrRenew();
      } catch (err) {
        this.log.warn({ err }, 'lease request failed');
        ok = false;
      }
      if (this.isStopped()) break;
      if (ok) {
        this.lastRenew = this.now();
        if (!this.leading) {
          this.leading = true;
          this.log.info({ lease: this.opts.name, identity: this.opts.identity }, 'became leader');
          cb.onStartedLeading();
        }
      } else if (this.leading && this.now() - this.lastRenew >= this.opts.renewDeadlineMs) {
        this.leading = false;
        this.log.error({ lease: this.opts.name }, 'could not renew the lease in time; stepping down');
        cb.onStoppedLeading();
        return;
      }
      await this.sleep(this.opts.retryPeriodMs);
    }
    if (this.leading) {
      this.leading = false;
      await this.release();
      cb.onStoppedLeading();
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(resolve, ms);
      this.timer.unref();
    });
  }

  private async tryAcquireOrRenew(): Promise<boolean> {
    const { namespace, name, identity, leaseDurationMs } = this.opts;
    const now = this.now();
    const lease = await this.store.readLease(namespace, name);
    const record: LeaseRecord = {
      holderIdentity: identity,
      leaseDurationSeconds: Math.ceil(leaseDurationMs / 1000),
      acquireTimeMs: now,
      renewTimeMs: now,
      leaseTransitions: 0,
    };
    if (lease === undefined) {
      return (await this.store.writeLease(namespace, name, record, undefined)) !== undefined;
    }
    const spec = lease.spec ?? {};
    const version = lease.metadata?.resourceVersion;
    if (version !== this.observedVersion) {
      this.observedVersion = version;
      this.observedAt = now;
    }
    const holder = spec.holderIdentity ?? '';
    const heldByMe = holder === identity;
    const duration = (spec.leaseDurationSeconds ?? Math.ceil(leaseDurationMs / 1000)) * 1000;
    if (!heldByMe && holder !== '' && now - this.observedAt < duration) return false;
    if (heldByMe && spec.acquireTime !== undefined) record.acquireTimeMs = new Date(spec.acquireTime).getTime();
    record.leaseTransitions = (spec.leaseTransitions ?? 0) + (heldByMe ? 0 : 1);
    const written = await this.store.writeLease(namespace, name, record, version);
    if (written === undefined) return false;
    this.observedVersion = written.metadata?.resourceVersion;
    this.observedAt = now;
    return true;
  }

  /** Gives the lease up so a standby takes over at once instead of after a lease duration. */
  private async release(): Promise<void> {
    const { namespace, name } = this.opts;
    try {
      const lease = await this.store.readLease(namespace, name);
      if (lease?.spec?.holderIdentity !== this.opts.identity) return;
      const now = this.now();
      await this.store.writeLease(
        namespace,
        name,
        { holderIdentity: '', leaseDurationSeconds: 1, acquireTimeMs: now, renewTimeMs: now, leaseTransitions: lease.spec.leaseTransitions ?? 0 },
        lease.metadata?.resourceVersion,
      );
      this.log.info({ lease: name }, 'released the lease');
    } catch (err) {
      this.log.warn({ err }, 'could not release the lease; a standby takes over after it expires');
    }
  }
}
