// The composition root shared by main.ts and the integration tests: informers, queue, reconciler,
// controller, leader election and the health/metrics server, started and stopped together.
import { randomBytes } from 'node:crypto';
import type { KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { LABEL_SERVER } from './api/constants.js';
import type { OperatorConfig } from './config.js';
import { ApplyMemo } from './controller/apply-memo.js';
import { Controller, keyOf } from './controller/controller.js';
import { Reconciler } from './controller/reconciler.js';
import type { KedaAvailability } from './builders/autoscaler-choice.js';
import { HealthServer } from './http/health-server.js';
import { InformerRunner } from './kube/informer-runner.js';
import { KubeClient, type KubeConfig } from './kube/kube-client.js';
import { LeaderElector } from './leader/leader-election.js';
import { createMetrics, type OperatorMetrics } from './metrics.js';
import { probeServer } from './probe/mcp-probe.js';
import type { ProbeResult } from './probe/probe-result.js';
import type { ProbeTarget } from './probe/probe-target.js';
import { Prober } from './probe/prober.js';
import { systemClock } from './queue/clock.js';
import { WorkQueue } from './queue/work-queue.js';

export interface OperatorOptions {
  /** Process-level default metrics (CPU, memory); off in tests that run several operators. */
  defaultMetrics?: boolean;
  /** The operator's version, sent as clientInfo when probing servers (main.ts reads package.json). */
  version?: string;
}

/** Failed probes are retried after 10 s, doubling, at most 10 min (or --probe-interval-seconds). */
const PROBE_RETRY_BASE_MS = 10_000;
const PROBE_RETRY_MAX_MS = 600_000;
/** Unreachable is reported from the third attempt in a row (1 s, then 2 s apart). */
const PROBE_GRACE_ATTEMPTS = 3;
const PROBE_GRACE_MS = 1000;

export class Operator {
  private readonly client: KubeClient;
  private readonly queue: WorkQueue;
  private readonly controller: Controller;
  private readonly runners: InformerRunner<KubernetesObject>[];
  private readonly http: HealthServer;
  private readonly elector: LeaderElector | undefined;
  private readonly prober: Prober | undefined;
  private readonly scaledObjects: InformerRunner<KubernetesObject>;
  private keda: KedaAvailability = 'absent';
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
    const pods = new InformerRunner(this.client.podInformer(ns), 'pods', log);
    const autoscalers = new InformerRunner(this.client.autoscalerInformer(ns), 'horizontalpodautoscalers', log);
    const budgets = new InformerRunner(this.client.disruptionBudgetInformer(ns), 'poddisruptionbudgets', log);
    const networkPolicies = new InformerRunner(this.client.networkPolicyInformer(ns), 'networkpolicies', log);
    // Started (and counted in readiness) only if the cluster serves ScaledObjects: see start().
    this.scaledObjects = new InformerRunner(this.client.scaledObjectInformer(ns), 'scaledobjects', log);
    const scaledObjects = this.scaledObjects;
    const claims = new InformerRunner(this.client.claimInformer(ns), 'persistentvolumeclaims', log);
    this.runners = [mcpServers, deployments, services, secrets, pods, autoscalers, budgets, networkPolicies, claims] as InformerRunner<KubernetesObject>[];
    const clientInfo = { name: 'mcp-sidecar-operator', version: options.version ?? '0.0.0' };
    this.prober = config.probeServers
      ? new Prober({
          probe: async (target, signal) => {
            const result = await this.probe(target, signal, clientInfo);
            this.metrics.probes.inc({ result: result.ok ? (result.method === 'discover' ? 'Discovered' : 'Initialized') : result.reason });
            return result;
          },
          notify: (key) => {
            this.queue.add(key);
          },
          clock: systemClock,
          intervalMs: config.probeIntervalSeconds * 1000,
          retryBaseMs: PROBE_RETRY_BASE_MS,
          retryMaxMs: PROBE_RETRY_MAX_MS,
          graceAttempts: PROBE_GRACE_ATTEMPTS,
          graceMs: PROBE_GRACE_MS,
          timeoutMs: config.probeTimeoutSeconds * 1000,
          concurrency: config.probeConcurrency,
          log,
        })
      : undefined;
    const reconciler = new Reconciler({
      caches: {
        mcpServer: (n, name) => mcpServers.informer.get(name, n),
        deployment: (n, name) => deployments.informer.get(name, n),
        service: (n, name) => services.informer.get(name, n),
        secret: (n, name) => secrets.informer.get(name, n),
        pods: (n, name) => pods.informer.list(n).filter((p) => p.metadata?.labels?.[LABEL_SERVER] === name),
        autoscaler: (n, name) => autoscalers.informer.get(name, n),
        scaledObject: (n, name) => (this.keda === 'installed' ? scaledObjects.informer.get(name, n) : undefined),
        disruptionBudget: (n, name) => budgets.informer.get(name, n),
        networkPolicy: (n, name) => networkPolicies.informer.get(name, n),
        claimAccessModes: (n, name) => {
          const c = claims.informer.get(name, n);
          return c === undefined ? undefined : (c.status?.accessModes ?? c.spec?.accessModes ?? []);
        },
      },
      writer: this.client,
      memo: new ApplyMemo(),
      ...(this.prober === undefined ? {} : { servers: this.prober }),
      buildOptions: {
        bridgeImage: config.bridgeImage,
        bridgeImagePullPolicy: config.bridgeImagePullPolicy,
        bridgeMetricsAnnotations: config.bridgeMetricsAnnotations,
        bridgeOtlpEndpoint: config.bridgeOtlpEndpoint,
        ...(config.operatorNamespace === '' ? {} : { operatorNamespace: config.operatorNamespace }),
      },
      autoscaling: () => ({ keda: this.keda, prometheusUrl: config.autoscalingPrometheusUrl }),
      randomKey: () => randomBytes(32),
      now: () => new Date(),
      log,
    });
    this.controller = new Controller(
      this.queue,
      reconciler,
      mcpServers.informer,
      [deployments.informer, services.informer, secrets.informer, pods.informer, autoscalers.informer, budgets.informer, networkPolicies.informer, scaledObjects.informer],
      this.metrics,
      log,
      // A claim is the user's (no owner of ours): its change re-checks the McpServers of its namespace.
      [{ source: claims.informer, keys: (obj) => mcpServers.informer.list(obj.metadata?.namespace).map((m) => keyOf(m) ?? '') }],
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
    // Once per process: installing KEDA later takes an operator restart (docs/autoscaling.md). Until then
    // McpServers with bridge-metric targets say Autoscaling=False KedaNotInstalled.
    this.keda = await this.client.scaledObjectAvailability(this.config.namespace);
    this.log.info({ keda: this.keda }, 'KEDA ScaledObject API discovered');
    if (this.keda === 'installed') this.runners.push(this.scaledObjects);
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

  /** Nothing queued, processing or waiting for a retry, and no MCP probe queued or running. */
  idle(): boolean {
    return this.queue.idle() && this.prober?.busy() !== true;
  }

  isLeader(): boolean {
    return this.elector === undefined ? true : this.elector.isLeader();
  }

  /** Graceful: stop taking work, let in-flight reconciles finish, release the lease, close everything. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    await this.controller.stop();
    await this.prober?.stop();
    await this.elector?.stop();
    await Promise.all(this.runners.map((r) => r.stop()));
    await this.http.close();
    this.log.info('operator stopped');
  }

  private startController(): void {
    this.controller.start(this.config.workers, this.config.resyncSeconds);
  }

  private stopController(): void {
    Promise.all([this.controller.stop(), this.prober?.stop()]).catch((err: unknown) => {
      this.log.error({ err }, 'controller stop failed');
    });
  }

  /** One MCP probe; the bridge's bearer token is read from its Secret at probe time. */
  private async probe(target: ProbeTarget, signal: AbortSignal, clientInfo: { name: string; version: string }): Promise<ProbeResult> {
    let token: string | undefined;
    if (target.token !== undefined) {
      const { namespace, name, key } = target.token;
      try {
        token = (await this.client.readSecretKey(namespace, name, key))?.trim();
      } catch (err) {
        return { ok: false, reason: 'ProbeFailed', message: `reading the auth token Secret ${name}: ${err instanceof Error ? err.message : String(err)}` };
      }
      if (token === undefined || token === '') return { ok: false, reason: 'ProbeFailed', message: `the auth token Secret ${name} has no key ${key} (or it is empty)` };
    }
    return probeServer(target.url, {
      clientInfo,
      ...(token === undefined ? {} : { token }),
      signal,
      warn: (message) => {
        this.log.warn({ url: target.url }, message);
      },
    });
  }
}
