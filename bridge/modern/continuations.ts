// The MRTR continuations this replica holds: calls whose legacy child waits for client input that
// comes back in a retry. Bounded in number (--mrtr-max-pending) and in time (--mrtr-timeout): a
// client that never retries cannot pin a child or grow the bridge's memory.
import type { BridgeMetrics } from '../metrics.js';

export interface Parked {
  readonly id: string;
  /** Called once when the continuation times out: the holder gives up the call. */
  expire(): void;
}

export class Continuations<T extends Parked = Parked> {
  private readonly parked = new Map<string, { item: T; timer: NodeJS.Timeout }>();

  constructor(
    private readonly max: number,
    readonly timeoutMs: number,
    private readonly metrics: BridgeMetrics,
  ) {}

  get size(): number {
    return this.parked.size;
  }

  /** False when the table is full (the caller must refuse the child's request instead). */
  park(item: T): boolean {
    if (this.parked.has(item.id)) return true;
    if (this.parked.size >= this.max) {
      this.metrics.mrtr.inc({ outcome: 'refused_full' });
      return false;
    }
    const timer = setTimeout(() => {
      if (this.parked.delete(item.id)) {
        this.metrics.mrtr.inc({ outcome: 'expired' });
        this.metrics.mrtrPending.set(this.parked.size);
        item.expire();
      }
    }, this.timeoutMs);
    timer.unref();
    this.parked.set(item.id, { item, timer });
    this.metrics.mrtrPending.set(this.parked.size);
    return true;
  }

  /** Takes a continuation out for its retry (undefined: unknown, expired, or already resumed). */
  take(id: string): T | undefined {
    const entry = this.parked.get(id);
    if (entry === undefined) return undefined;
    clearTimeout(entry.timer);
    this.parked.delete(id);
    this.metrics.mrtrPending.set(this.parked.size);
    return entry.item;
  }

  /** Forgets a continuation without expiring it (its call ended another way). */
  drop(id: string): void {
    this.take(id);
  }

  /** Shutdown: every holder gives up its call. */
  expireAll(): void {
    for (const id of [...this.parked.keys()]) this.take(id)?.expire();
  }
}
