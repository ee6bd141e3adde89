// Informers → keyed work queue → workers running the reconciler. Events only ever produce keys
// (rule 1: never branch on the event type); children map to their controlling McpServer's key.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { API_VERSION, KIND, LABEL_MANAGED_BY, LABEL_SERVER, MANAGED_BY } from '../api/constants.js';
import type { OperatorMetrics } from '../metrics.js';
import type { WorkQueue } from '../queue/work-queue.js';
import type { Reconciler } from './reconciler.js';

/** What the controller needs of an informer: events and a cache listing. */
export interface EventSource {
  on(verb: 'add' | 'update' | 'delete', cb: (obj: KubernetesObject) => void): void;
  list(namespace?: string): readonly KubernetesObject[];
}

export function keyOf(obj: KubernetesObject): string | undefined {
  const ns = obj.metadata?.namespace;
  const name = obj.metadata?.name;
  return ns === undefined || name === undefined ? undefined : `${ns}/${name}`;
}

/**
 * The key of the McpServer a child belongs to, if any: its controller ownerReference, or for our pods
 * (controlled by a ReplicaSet) the server label the pod template carries.
 */
export function ownerKeyOf(obj: KubernetesObject): string | undefined {
  const ns = obj.metadata?.namespace;
  if (ns === undefined) return undefined;
  const owner = obj.metadata?.ownerReferences?.find((r) => r.controller === true && r.kind === KIND && r.apiVersion === API_VERSION);
  if (owner !== undefined) return `${ns}/${owner.name}`;
  const labels = obj.metadata?.labels;
  const server = labels?.[LABEL_MANAGED_BY] === MANAGED_BY ? labels[LABEL_SERVER] : undefined;
  return server === undefined ? undefined : `${ns}/${server}`;
}

/** Objects of someone else's (no owner reference of ours) whose change matters to some McpServers. */
export interface RelatedSource {
  source: EventSource;
  keys: (obj: KubernetesObject) => string[];
}

export class Controller {
  private running = false;
  private readonly workers: Promise<void>[] = [];
  private resyncTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly queue: WorkQueue,
    private readonly reconciler: Reconciler,
    private readonly mcpServers: EventSource,
    children: readonly EventSource[],
    private readonly metrics: OperatorMetrics,
    private readonly log: Logger,
    related: readonly RelatedSource[] = [],
  ) {
    const enqueue = (key: string | undefined): void => {
      if (key !== undefined) this.queue.add(key);
    };
    for (const verb of ['add', 'update', 'delete'] as const) {
      mcpServers.on(verb, (obj) => {
        enqueue(keyOf(obj));
      });
      for (const child of children) {
        child.on(verb, (obj) => {
          enqueue(ownerKeyOf(obj));
        });
      }
      for (const { source, keys } of related) {
        source.on(verb, (obj) => {
          for (const key of keys(obj)) enqueue(key === '' ? undefined : key);
        });
      }
    }
  }

  /** Starts `workers` workers and a periodic resync of every McpServer in the cache. */
  start(workers: number, resyncSeconds: number): void {
    if (this.running) return;
    this.running = true;
    this.resyncAll();
    for (let i = 0; i < workers; i++) this.workers.push(this.work());
    if (resyncSeconds > 0) {
      this.resyncTimer = setInterval(() => {
        this.resyncAll();
      }, resyncSeconds * 1000);
      this.resyncTimer.unref();
    }
  }

  resyncAll(): void {
    for (const obj of this.mcpServers.list()) {
      const key = keyOf(obj);
      if (key !== undefined) this.queue.add(key);
    }
  }

  /** Stops taking keys; waits for in-flight reconciles to finish. */
  async stop(): Promise<void> {
    this.running = false;
    if (this.resyncTimer !== undefined) clearInterval(this.resyncTimer);
    this.queue.shutDown();
    await Promise.all(this.workers.splice(0));
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      await this.process(key);
      this.queue.done(key);
    }
  }

  private async process(key: string): Promise<void> {
    const end = this.metrics.reconcileDuration.startTimer();
    const [namespace, name] = key.split('/');
    const log = this.log.child({ namespace, mcpServer: name });
    try {
      const result = await this.reconciler.reconcile(key);
      this.queue.forget(key);
      this.metrics.reconciles.inc({ result });
      end({ result });
    } catch (err) {
      this.metrics.reconciles.inc({ result: 'error' });
      this.metrics.applyErrors.inc();
      end({ result: 'error' });
      if (!this.running) return;
      const delay = this.queue.addRateLimited(key);
      log.error({ err, retryInMs: delay, failures: this.queue.failuresOf(key) }, 'reconcile failed; will retry');
    }
  }
}
