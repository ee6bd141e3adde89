// Assembles one bridge from a config: upstream factory, sessions, HTTP server. Used by main.ts and,
// in-process on port 0, by the tests.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { noAuth, oauthAuth, staticTokenAuth, type Authenticator } from './auth/authenticator.js';
import { canonicalResource } from './auth/protected-resource.js';
import { TokenVerifier } from './auth/token-verifier.js';
import type { BridgeConfig } from './config.js';
import type { GateOptions } from './policy/request-gate.js';
import { NamePolicy } from './policy/name-policy.js';
import { RateLimiter, parseRate } from './policy/rate-limit.js';
import { ToolPolicy, parseScopeRule } from './policy/tool-policy.js';
import { defaultAllowedHosts } from './http/guards.js';
import { RelayTracker } from './http/forward.js';
import { handOff } from './http/peer-handoff.js';
import { serveBridge } from './http/server.js';
import { SUPPORTED_PROTOCOL_VERSIONS } from './jsonrpc.js';
import { BridgeMetrics } from './metrics.js';
import { MODERN_VERSIONS } from './modern/envelope.js';
import { Operations } from './telemetry/operations.js';
import { startTracing, type Tracing, type TracingOptions } from './telemetry/tracing.js';
import { bridgeVersion } from './version.js';
import { RequestStateCodec } from './modern/request-state.js';
import { SessionCapacity, capacityMode, readMemoryLimit } from './sessions/capacity.js';
import type { SessionHandoff } from './sessions/handoff.js';
import { SessionHub } from './sessions/session-hub.js';
import { SessionIds } from './sessions/session-ids.js';
import { connectAgent } from './upstream/agent-socket.js';
import { childEnv } from './upstream/child-env.js';
import { spawnServer } from './upstream/child-process.js';
import { Upstream } from './upstream/upstream.js';

export interface RunningBridge {
  readonly url: string;
  readonly sseUrl: string;
  readonly port: number;
  readonly hub: SessionHub;
  readonly metrics: BridgeMetrics;
  /**
   * Readiness off at once; for drainDelayMs everything still works (endpoints take a moment to stop
   * sending traffic here); then new sessions get 503, in-flight requests (own and relayed) get up to
   * graceMs, every process stops and the port closes.
   */
  close(graceMs?: number, drainDelayMs?: number): Promise<void>;
}

export interface BridgeDeps {
  readonly log: Logger;
  readonly environment?: Readonly<Record<string, string | undefined>>;
  /** Off in tests that run many bridges in one process. */
  readonly processMetrics?: boolean;
  /** How the bridge reaches the OAuth issuer (default: global fetch). */
  readonly fetch?: typeof fetch;
  /** The container's memory limit in bytes (tests); default: read from the cgroup (capacity.ts). */
  readonly memoryLimit?: number;
  /**
   * Started by the caller (main.ts: its logger needs it first). When absent and the config names an
   * OTLP endpoint, the bridge starts its own and shuts it down (flushing) in close().
   */
  readonly tracing?: Tracing;
}

/** The OpenTelemetry resource defaults: the McpServer's name as service.name (else mcp-bridge). */
export function tracingOptions(config: BridgeConfig): TracingOptions {
  return {
    tracesUrl: config.otlpTracesUrl ?? '',
    serviceName: config.mcpServerName ?? 'mcp-bridge',
    serviceVersion: bridgeVersion(),
    ...(config.mcpServerNamespace !== undefined ? { namespace: config.mcpServerNamespace } : {}),
  };
}

async function readSecret(path: string | undefined): Promise<string | undefined> {
  if (path === undefined) return undefined;
  const value = (await readFile(path, 'utf8')).trim();
  if (value === '') throw new Error(`${path} is empty`);
  return value;
}

/** Auth from the config: OAuth resource server, one static token, or none. */
function authenticatorFor(config: BridgeConfig, ownUrl: string, authToken: string | undefined, policy: ToolPolicy, log: Logger, fetchImpl: typeof fetch | undefined): Authenticator {
  if (config.oauthIssuer !== undefined) {
    const resource = canonicalResource(config.publicUrl ?? ownUrl);
    const verifier = new TokenVerifier({
      issuer: config.oauthIssuer,
      audience: config.oauthAudience ?? resource,
      jwksCacheMs: config.oauthJwksCache * 1000,
      jwksCooldownMs: config.oauthJwksCooldown * 1000,
      ...(fetchImpl !== undefined ? { fetchImpl } : {}),
    });
    void verifier.warmUp();
    return oauthAuth(
      { resource, issuer: config.oauthIssuer, requiredScopes: config.oauthScopes, scopesSupported: [...new Set([...config.oauthScopes, ...policy.scopes])] },
      verifier,
      log.child({ auth: 'oauth' }),
    );
  }
  return authToken !== undefined ? staticTokenAuth(authToken) : noAuth();
}

function urlHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

export async function startBridge(config: BridgeConfig, deps: BridgeDeps): Promise<RunningBridge> {
  const { log } = deps;
  const metrics = new BridgeMetrics(deps.processMetrics ?? true);
  const ownTracing = deps.tracing === undefined && config.otlpTracesUrl !== undefined ? await startTracing(tracingOptions(config)) : undefined;
  const tracing = deps.tracing ?? ownTracing;
  const ops = new Operations(metrics, tracing, log, [...MODERN_VERSIONS, ...SUPPORTED_PROTOCOL_VERSIONS]);
  const authToken = await readSecret(config.authTokenFile);
  const policy = new ToolPolicy({ allow: config.toolsAllow, deny: config.toolsDeny, scopeRules: config.toolScopes.map(parseScopeRule) });
  const rate = config.rateLimit === undefined ? undefined : parseRate(config.rateLimit, config.rateLimitBurst);
  const prompts = new NamePolicy('prompts', config.promptsAllow, config.promptsDeny);
  const resources = new NamePolicy('resources', config.resourcesAllow, config.resourcesDeny);
  const gate: GateOptions | undefined =
    policy.empty && prompts.empty && resources.empty && !config.forwardIdentity && config.oauthIssuer === undefined && rate === undefined
      ? undefined
      : {
          policy,
          forwardIdentity: config.forwardIdentity,
          ...(rate === undefined ? {} : { rateLimiter: new RateLimiter(rate) }),
          ...(prompts.empty ? {} : { prompts }),
          ...(resources.empty ? {} : { resources }),
        };
  const key = config.sessionKeyFile !== undefined ? Buffer.from((await readSecret(config.sessionKeyFile)) ?? '') : randomBytes(32);
  const env = childEnv(deps.environment ?? process.env, config.passEnv, config.env);

  const createUpstream = (): Upstream => {
    const channel = config.upstreamSocket !== undefined
      ? connectAgent(config.upstreamSocket)
      : spawnServer({ command: config.command, env, log });
    return new Upstream(channel, config.maxLine, log.child({ upstream: channel.label }), metrics);
  };

  // Bind first: the address other replicas use (inside every session id) needs the real port.
  // Slow or stalled requests (slowloris) are cut by Node's own timers: the headers within
  // --headers-timeout of the first byte, the whole request within --request-timeout (408, then close).
  // Only receiving a request is timed: answers, SSE streams and long tool calls are not. Node checks
  // every connectionsCheckingInterval (30 s by default): checked often enough for the limits to hold.
  const server = createServer({
    headersTimeout: config.headersTimeout * 1000,
    requestTimeout: config.requestTimeout * 1000,
    connectionsCheckingInterval: Math.min(1000, Math.max(100, config.headersTimeout * 100)),
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const ids = new SessionIds(key, config.advertiseAddress ?? `${urlHost(config.host)}:${port}`);
  // Per-session processes the bridge spawns itself count against this container's memory limit;
  // behind the stdio agent they live in the server container (another cgroup), so the fallback applies.
  const perSessionProcesses = config.sessionMode === 'per-session' && config.upstreamSocket === undefined;
  const capacity = new SessionCapacity(capacityMode(config.maxSessions, perSessionProcesses, deps.memoryLimit ?? readMemoryLimit()));
  const hub = new SessionHub(config, createUpstream, ids, metrics, log, new RequestStateCodec(key), capacity);
  const relays = new RelayTracker();
  const base = `http://${urlHost(config.host)}:${port}`;
  const auth = authenticatorFor(config, base, authToken, policy, log, deps.fetch);
  serveBridge(server, { config, metrics, log, hub, relays, auth, gate, ops }, {
    allowedHosts: defaultAllowedHosts(config.host, config.allowedHosts),
    allowedOrigins: config.allowedOrigins,
  });
  hub.start();

  return {
    url: `${base}/mcp`,
    sseUrl: `${base}/sse`,
    port,
    hub,
    metrics,
    async close(graceMs = config.shutdownGrace * 1000, drainDelayMs = 0) {
      // Keep listening while draining: /readyz answers 503 (so Kubernetes stops routing here), and
      // whatever still arrives is served (new sessions too) until the drain is over (SessionHub.drain).
      // From now on every response says `Connection: close` (serveBridge), so a client's pooled
      // connections end with their next answer. Idle ones are closed only when the delay is over: by
      // then the Service no longer routes here, and closing them earlier would race with a request the
      // client is sending on one (a reset POST is not retried), while the pod can still serve it.
      hub.stopAdvertising();
      if (drainDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, drainDelayMs));
      server.closeIdleConnections();
      // Shared mode with --peers: what the sessions' ids do not carry goes to the peers before the sessions end.
      const handOffTo = config.peers.length > 0 ? (entries: SessionHandoff[]) => handOff(entries, config.peers, ids, log, metrics) : undefined;
      await hub.drain(graceMs, () => relays.active, handOffTo);
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await ownTracing?.shutdown().catch((err: unknown) => log.warn({ err: err instanceof Error ? err.message : String(err) }, 'spans not exported at shutdown: the OTLP endpoint did not take them'));
    },
  };
}
