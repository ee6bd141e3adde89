// The composition root shared by main.ts and the integration tests: informers, queue, reconciler,
// controller, leader election and the health/metrics server, started and stopped together.
import { randomBytes } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { OperatorConfig } from './config.js';
import { ApplyMemo } from './controller/apply-memo.js';
import { Controller } from './controller/controller.js';
import { Reconciler } from './controller/reconciler.js';
import { HealthServer } from './http/health-server.js';
import { InformerRunner } from './kube/informer-runner.js';
import { KubeClient, type KubeConfig } from './kube/kube-client.js';
import { LeaderElector } from './leader/leader-election.js';
import { createMetrics, type OperatorMetrics } from './metrics.js';
import { systemClock } from './queue/clock.js';
import { WorkQueue } from './queue/work-queue.js';

export interface OperatorOptions {
  /** Process-level default metrics (CPU, memory); off in tests that run several operators. */
  defaultMetrics?: boolean;
}

export class Operator {
  private readonly client: KubeClient;
  private readonly queue: WorkQueue;
  private readonly controller: Controller;
  private readonly runners: InformerRunner<KubernetesObject>[];
  private readonly http: HealthServer;
  private readonly elector: LeaderElector | undefined;
  private stopping = false;
  private resolveLost: () => void = () => undefined;
  readonly metrics: OperatorMetrics;
  /** Resolves if leadership is lost involuntarily (main.ts then exits so a fresh process campaigns). */
  readonly lostLeadership: Promise<void>;
  port = 0;

  constructor(
    private readonly config: OperatorConfig,
    kubeConfig: KubeConfig,
    private readonly log: Logger,
    options: OperatorOptions = {},
  ) {
    this.lostLeadership = new Promise((resolve) => (this.resolveLost = resolve));
    this.queue = new WorkQueue(systemClock, { baseMs: config.backoffBaseMs, maxMs: config.backoffMaxMs, jitter: 0.5 });
    this.metrics = createMetrics(() => this.queue.depth(), options.defaultMetrics ?? false);
    this.client = new KubeClient(kubeConfig, (kind, verb) => {
      this.metrics.writes.inc({ kind, verb });
    });
    const ns = config.namespace;
    const mcpServers = new InformerRunner(this.client.mcpServerInformer(ns), 'mcpservers', log);
    const deployments = new InformerRunner(this.client.deploymentInformer(ns), 'deployments', log);
    const services = new InformerRunner(this.client.serviceInformer(ns), 'services', log);
    const secrets = new InformerRunner(this.client.secretInformer(ns), 'secrets', log);
    this.runners = [mcpServers, deployments, services, secrets] as InformerRunner<KubernetesObject>[];
    const reconciler = new Reconciler({
      caches: {
        mcpServer: (n, name) => mcpServers.informer.get(name, n),
        deployment: (n, name) => deployments.informer.get(name, n),
        service: (n, name) => services.informer.get(name, n),
        secret: (n, name) => secrets.informer.get(name, n),
      },
      writer: this.client,
      memo: new ApplyMemo(),
      buildOptions: { bridgeImage: config.bridgeImage, bridgeImagePullPolicy: config.bridgeImagePullPolicy },
      randomKey: () => randomBytes(32),
      now: () => new Date(),
      log,
    });
    this.controller = new Controller(
      this.queue,
      reconciler,
      mcpServers.informer,
      [deployments.informer, services.informer, secrets.informer],
      this.metrics,
      log,
    );
    this.http = new HealthServer(this.metrics.registry, { ready: () => !this.stopping && this.runners.every((r) => r.synced) });
    this.elector = config.leaderElect
      ? new LeaderElector(
          this.client,
          {
            namespace: config.leaderElectionNamespace,
            name: config.leaderElectionId,
            identity: config.identity,
            leaseDurationMs: config.leaseDurationSeconds * 1000,
            renewDeadlineMs: config.renewDeadlineSeconds * 1000,
            retryPeriodMs: config.retryPeriodSeconds * 1000,
          },
          log,
        )
      : undefined;
  }

  /** Serves health/metrics, fills the caches, then campaigns for the lease (or starts at once). */
  async start(): Promise<void> {
    this.port = await this.http.listen(this.config.port, this.config.bindAddress);
    this.log.info({ port: this.port, namespace: this.config.namespace || '(all)' }, 'health and metrics listening');
    await Promise.all(this.runners.map((r) => r.start()));
    this.log.info({ synced: this.runners.every((r) => r.synced) }, 'informers started');
    if (this.elector === undefined) {
      this.startController();
      return;
    }
    this.elector.run({
      onStartedLeading: () => {
        this.metrics.isLeader.set(1);
        this.startController();
      },
      onStoppedLeading: () => {
        this.metrics.isLeader.set(0);
        if (!this.stopping) {
          this.stopController();
          this.resolveLost();
        }
      },
    });
  }

  /** Queues every McpServer in the cache now (the periodic resync, on demand). */
  resync(): void {
    this.controller.resyncAll();
  }

  /** Nothing queued, processing or waiting for a retry. */
  idle(): boolean {
    return this.queue.idle();
  }

  isLeader(): boolean {
    return this.elector === undefined ? true : this.elector.isLeader();
  }

  /** Graceful: stop taking work, let in-flight reconciles finish, release the lease, close everything. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.controller.stop();
    await this.elector?.stop();
    await Promise.all(this.runners.map((r) => r.stop()));
    await this.http.close();
    this.log.info('operator stopped');
  }

  private startController(): void {
    this.controller.start(this.config.workers, this.config.resyncSeconds);
  }

  private stopController(): void {
    this.controller.stop().catch((err: unknown) => {
      this.log.error({ err }, 'controller stop failed');
    });
  }
}
