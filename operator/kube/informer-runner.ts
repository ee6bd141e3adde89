// Keeps an informer running: client-node's ListWatch stops for good after an error, so we restart it
// with capped exponential backoff. `synced` becomes true after the first successful list + watch.
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Watched } from './kube-client.js';
import { backoffDelay } from '../../common/backoff.js';

export class InformerRunner<T extends KubernetesObject> {
  private syncedOnce = false;
  private stopped = false;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private errors = 0;

  constructor(
    readonly informer: Watched<T>,
    private readonly what: string,
    private readonly log: Logger,
  ) {
    informer.on('error', (err: unknown) => {
      this.errors++;
      if (this.stopped) return;
      this.failures++;
      const delay = backoffDelay(this.failures, { baseMs: 500, maxMs: 30_000 });
      this.log.warn({ err, informer: this.what, retryInMs: delay }, 'watch failed; restarting');
      this.timer = setTimeout(() => {
        this.restart();
      }, delay);
      this.timer.unref();
    });
  }

  get synced(): boolean {
    return this.syncedOnce;
  }

  /** Lists and starts watching; resolves once started (the cache is then filled), or after the first failure. */
  async start(): Promise<void> {
    const errorsBefore = this.errors;
    await this.informer.start();
    if (this.errors === errorsBefore) {
      this.syncedOnce = true;
      this.failures = 0;
    }
  }

  private restart(): void {
    if (this.stopped) return;
    this.start().catch((err: unknown) => {
      this.log.error({ err, informer: this.what }, 'informer restart threw');
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    await this.informer.stop();
  }
}
