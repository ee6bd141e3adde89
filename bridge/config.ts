// Flags and MCP_BRIDGE_* env are parsed here, once, and passed down as a frozen BridgeConfig.
// The flag names are a public contract (the operator and users' scripts rely on them).
import { parseArgs } from 'node:util';
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { parseRate } from './policy/rate-limit.js';

export const SESSION_MODES = ['per-session', 'shared'] as const;
export type SessionMode = (typeof SESSION_MODES)[number];

const MiB = 1024 * 1024;

const intFrom = (min: number) => z.coerce.number().int().min(min);
const list = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean));

const ConfigSchema = z.object({
  port: intFrom(0).max(65535).default(8080),
  host: z.string().min(1).default('127.0.0.1'),
  sessionMode: z.enum(SESSION_MODES).default('per-session'),
  warmPool: intFrom(0).max(1000).default(0),
  warmPoolInitialize: z.union([z.boolean(), z.stringbool()]).default(false),
  // Unset: from the memory limit (sessions/capacity.ts).
  maxSessions: intFrom(1).optional(),
  idleTimeout: intFrom(0).default(900),
  vanishedAfter: intFrom(0).default(60),
  maxBody: intFrom(1024).default(4 * MiB),
  maxLine: intFrom(1024).default(16 * MiB),
  maxQueue: intFrom(64 * 1024).default(8 * MiB),
  headersTimeout: intFrom(1).default(20),
  requestTimeout: intFrom(1).default(120),
  bodyTimeout: intFrom(1).default(30),
  shutdownGrace: intFrom(0).default(20),
  drainDelay: intFrom(0).default(5),
  /**
   * Idle keep-alive connections close after this (and clients are told so in Keep-Alive: timeout=N). Not
   * longer than --drain-delay by default: a connection idle since before a drain began is then gone
   * (clients such as undici close theirs a second early) before the drain closes idle connections, so no
   * request can race that close. Behind an L7 load balancer, set it above the LB's idle timeout and
   * --drain-delay above it too.
   */
  keepAliveTimeout: intFrom(1).max(3600).default(5),
  allowedOrigins: list.default([]),
  allowedHosts: list.default([]),
  authTokenFile: z.string().optional(),
  publicUrl: z.url({ protocol: /^https?$/ }).optional(),
  oauthIssuer: z.url({ protocol: /^https?$/ }).optional(),
  oauthAudience: z.string().min(1).optional(),
  oauthScopes: list.default([]),
  oauthJwksCache: intFrom(1).default(600),
  oauthJwksCooldown: intFrom(0).default(30),
  toolsAllow: list.default([]),
  toolsDeny: list.default([]),
  toolScopes: list.default([]),
  promptsAllow: list.default([]),
  promptsDeny: list.default([]),
  resourcesAllow: list.default([]),
  resourcesDeny: list.default([]),
  rateLimit: z.string().refine((v) => parseRate(v) !== undefined, { message: 'a rate is N/s, N/m or N/h with N > 0, e.g. 60/m' }).optional(),
  rateLimitBurst: intFrom(1).optional(),
  forwardIdentity: z.union([z.boolean(), z.stringbool()]).default(false),
  upstreamSocket: z.string().optional(),
  installAgent: z.string().optional(),
  sessionKeyFile: z.string().optional(),
  advertiseAddress: z.string().optional(),
  env: list.default([]),
  passEnv: list.default([]),
  relayRoots: z.union([z.boolean(), z.stringbool()]).default(false),
  modernWorkers: intFrom(1).max(1000).default(8),
  modernWarm: intFrom(0).max(1000).default(0),
  upstreamEra: z.enum(['auto', 'legacy']).default('auto'),
  mrtrMaxPending: intFrom(1).default(256),
  mrtrTimeout: intFrom(1).default(300),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  mcpServerName: z.string().min(1).optional(),
  mcpServerNamespace: z.string().min(1).optional(),
  command: z.array(z.string()),
});

export type BridgeConfig = Readonly<
  Omit<z.infer<typeof ConfigSchema>, 'env'> & {
    env: Readonly<Record<string, string>>;
    /** OTLP/HTTP traces URL when tracing is on (standard OTEL_* env); undefined: no tracing at all. */
    otlpTracesUrl?: string | undefined;
  }
>;

/** Flag name → key in the schema. Each also reads MCP_BRIDGE_<UPPER_SNAKE> from the environment. */
const FLAGS = {
  port: 'port',
  host: 'host',
  'session-mode': 'sessionMode',
  'warm-pool': 'warmPool',
  'warm-pool-initialize': 'warmPoolInitialize',
  'max-sessions': 'maxSessions',
  'idle-timeout': 'idleTimeout',
  'vanished-after': 'vanishedAfter',
  'max-body': 'maxBody',
  'max-line': 'maxLine',
  'max-queue': 'maxQueue',
  'headers-timeout': 'headersTimeout',
  'request-timeout': 'requestTimeout',
  'body-timeout': 'bodyTimeout',
  'shutdown-grace': 'shutdownGrace',
  'drain-delay': 'drainDelay',
  'keep-alive-timeout': 'keepAliveTimeout',
  'allowed-origins': 'allowedOrigins',
  'allowed-hosts': 'allowedHosts',
  'auth-token-file': 'authTokenFile',
  'public-url': 'publicUrl',
  'oauth-issuer': 'oauthIssuer',
  'oauth-audience': 'oauthAudience',
  'oauth-scopes': 'oauthScopes',
  'oauth-jwks-cache': 'oauthJwksCache',
  'oauth-jwks-cooldown': 'oauthJwksCooldown',
  'tools-allow': 'toolsAllow',
  'tools-deny': 'toolsDeny',
  'tool-scopes': 'toolScopes',
  'prompts-allow': 'promptsAllow',
  'prompts-deny': 'promptsDeny',
  'resources-allow': 'resourcesAllow',
  'resources-deny': 'resourcesDeny',
  'rate-limit': 'rateLimit',
  'rate-limit-burst': 'rateLimitBurst',
  'forward-identity': 'forwardIdentity',
  'upstream-socket': 'upstreamSocket',
  'install-agent': 'installAgent',
  'session-key-file': 'sessionKeyFile',
  'advertise-address': 'advertiseAddress',
  env: 'env',
  'pass-env': 'passEnv',
  'relay-roots': 'relayRoots',
  'modern-workers': 'modernWorkers',
  'modern-warm': 'modernWarm',
  'upstream-era': 'upstreamEra',
  'mrtr-max-pending': 'mrtrMaxPending',
  'mrtr-timeout': 'mrtrTimeout',
  'log-level': 'logLevel',
  'mcp-server-name': 'mcpServerName',
  'mcp-server-namespace': 'mcpServerNamespace',
} as const satisfies Record<string, keyof z.infer<typeof ConfigSchema>>;

const REPEATABLE = new Set(['env', 'pass-env', 'allowed-origins', 'allowed-hosts', 'oauth-scopes', 'tools-allow', 'tools-deny', 'tool-scopes', 'prompts-allow', 'prompts-deny', 'resources-allow', 'resources-deny']);
const BOOLEAN = new Set(['relay-roots', 'warm-pool-initialize', 'forward-identity']);

export const HELP = `mcp-bridge: serve a stdio MCP server over Streamable HTTP (/mcp) and legacy HTTP+SSE (/sse, /message).

Usage:
  mcp-bridge [options] -- <command> [args...]
  mcp-bridge [options] --upstream-socket PATH     (sidecar: the server runs behind the stdio agent)

Options (each also as env MCP_BRIDGE_<NAME>, e.g. MCP_BRIDGE_MAX_SESSIONS=50; flags win):
  --port N                 TCP port to listen on; 0 picks a free one (default 8080)
  --host ADDR              address to bind (default 127.0.0.1; use 0.0.0.0 in a container)
  --session-mode MODE      per-session: one server process per client session (default)
                           shared: one server process for all sessions, initialized once
                           (2026-07-28 requests, which have no sessions, are served in both modes:
                           shared on the shared process, per-session by --modern-workers)
  --warm-pool N            per-session: keep N processes started and waiting (default 0)
  --warm-pool-initialize   per-session: the bridge also initializes the waiting processes, so a new
                           session skips the server's first initialize (its cold code paths). Such a
                           process goes only to a client whose initialize asks the same protocol
                           version (${LATEST_PROTOCOL_VERSION}) with no capabilities and no other params;
                           any other client gets a fresh process (cold start). Trade-offs: the server
                           sees the bridge's clientInfo, not the client's; notifications the process
                           sends before a client takes it are dropped
  --modern-workers N       per-session: at most N initialized processes serving 2026-07-28 requests,
                           one request at a time each and reused by later requests (default 8;
                           more requests wait for a free one, up to 30 s)
  --modern-warm N          per-session: keep N such workers idle and initialized from the start, so
                           2026-07-28 requests do not wait for a cold start (default 0: none until the
                           first such request; from then on one spare is kept)
  --upstream-era auto|legacy  auto: ask each process the bridge itself starts for 2026-07-28 requests
                           (shared, --modern-workers) server/discover first; a 2026-07-28 server gets
                           those requests as they are, a 2025-era one is initialized and they are
                           downgraded. legacy: never ask (for a server that cannot take an unknown
                           method before initialize; one that dies on the probe is taken for legacy
                           anyway) (default auto)
  --mrtr-max-pending N     2026-07-28 calls whose server asked for client input (sampling, elicitation,
                           roots) and now wait for the client's retry; more get the server's request
                           refused (default 256)
  --mrtr-timeout SECONDS   such a call is given up when no retry comes within this (default 300)
  --max-sessions N         sessions at once (default: what the container's memory limit holds in
                           per-session mode, from the measured size of a server process; 1000 without
                           a limit, in shared mode, or behind --upstream-socket). At the cap the
                           session idle longest is ended for a new one (its client gets 404 and
                           initializes again); only when every session has a request in flight does
                           a new one get 503 (docs/reliability.md)
  --idle-timeout SECONDS   end a session with no request for this long; 0 = never (default 900)
  --vanished-after SECONDS end a 2025-era session that has no open stream (GET /mcp closed or never
                           opened) and no request for this long: its client is most likely gone
                           without a DELETE; if not, its next request gets 404 and it initializes
                           again; 0 = never (default 60)
  --max-body BYTES         largest HTTP request body; larger gets 413 (default 4194304)
  --max-line BYTES         largest JSON-RPC line from the server; larger ends the session (default 16777216)
  --max-queue BYTES        bytes queued for one slow SSE reader before its stream is closed (default 8388608)
  --headers-timeout SECONDS a request's headers must arrive within this from its first byte, else
                           408 and the connection closes (slow-header clients, slowloris) (default 20)
  --request-timeout SECONDS a request (headers and body) must arrive whole within this, else 408 and
                           close; answers and streams (SSE, long tool calls) are not limited (default 120)
  --body-timeout SECONDS   a request body that stalls (no byte) this long gets 408 and the connection
                           closes (default 30)
  --relay-roots            shared: pass clients' roots/list to the server (off: the server gets an empty
                           list, so e.g. a filesystem server cannot widen its directories for everyone)
  --drain-delay SECONDS    on SIGTERM, keep serving (readiness already 503, responses Connection: close)
                           this long so load balancers stop sending traffic first; then idle
                           connections close, and what still arrives is served until sessions are
                           quiet (within --shutdown-grace); only then new work gets 503 (default 5)
  --keep-alive-timeout SECONDS
                           idle keep-alive connections close after this (default 5, the drain delay:
                           a connection idle since before a drain is gone before the drain closes idle
                           ones, so no request races that close; behind an L7 load balancer set it above
                           the LB's idle timeout, and --drain-delay above it)
  --shutdown-grace SECONDS then, time for in-flight requests before processes stop (default 20)
  --allowed-origins LIST   extra browser origins allowed (comma list, or *); the bridge's own host and
                           localhost are always allowed; requests without Origin are always allowed
  --allowed-hosts LIST     Host headers allowed (comma list). Default: any, or only localhost names when
                           bound to a loopback address (DNS-rebinding protection)
  --auth-token-file PATH   require "Authorization: Bearer <token>" with the token in this file (a static
                           shared secret; for per-client identities use --oauth-issuer instead)
  --public-url URL         this server's canonical base URL as clients reach it (e.g.
                           https://files.example.com): the OAuth resource (RFC 8707/9728) and the base
                           of the protected resource metadata (default: http://HOST:PORT as bound,
                           right only when clients connect to exactly that, e.g. on a laptop)
  --oauth-issuer URL       OAuth 2.1 resource-server mode: every /mcp, /sse, /message request needs a JWT
                           access token from this issuer (https; http only on a loopback address). Its
                           keys come from the jwks_uri of its /.well-known/oauth-authorization-server
                           or /.well-known/openid-configuration. Serves
                           /.well-known/oauth-protected-resource (RFC 9728). See docs/security.md
  --oauth-audience URI     the token's aud must contain this (default: --public-url)
  --oauth-scopes LIST      scopes every request needs (comma list, repeatable)
  --oauth-jwks-cache SECONDS  keep the issuer's keys this long before fetching them again (default 600)
  --oauth-jwks-cooldown SECONDS  a token with an unknown key id fetches the keys again at most once per
                           this (key rotation without restart, and no fetch storm from forged kids) (default 30)
  --tools-allow LIST       only these tools are listed and callable (names or globs with *, ?; comma list)
  --tools-deny LIST        these tools are never listed nor callable (deny wins over allow)
  --tool-scopes RULE       PATTERN=SCOPE: tools matching PATTERN need SCOPE in the token (repeatable; all
                           matching rules apply). Without it a tool is hidden, and a call gets 403
                           insufficient_scope naming the scope (step-up). Needs --oauth-issuer
  --prompts-allow LIST, --prompts-deny LIST
                           prompts (names or globs) listed and gettable; others vanish from prompts/list
                           and prompts/get answers -32602 (deny wins over allow)
  --resources-allow LIST, --resources-deny LIST
                           resources (URIs or globs): others vanish from resources/list (and templates
                           whose text matches a deny), read/subscribe answer -32002 (Resource not found)
  --rate-limit RATE        tools/call per caller and tool: N/s, N/m or N/h (token bucket, per pod; caller =
                           the token's sub, else the connecting address). Over it: HTTP 429, Retry-After,
                           JSON-RPC error -32029; the call never reaches the server. Default: none
  --rate-limit-burst N     calls allowed at once after a quiet period (default: the N of --rate-limit)
  --forward-identity       give the server the validated caller (sub, client_id, scopes) in each
                           request's params._meta["dev.mcp-sidecar/identity"] (off: never; a client's own
                           value of that key is always removed). Needs --oauth-issuer
  --upstream-socket PATH   connect to the stdio agent on this Unix socket instead of spawning <command>
  --install-agent PATH     copy the bundled stdio agent binary to PATH at start (sidecar topology)
  --session-key-file PATH  key that signs session ids (same for all replicas of a server); default: random
  --advertise-address A    host:port other replicas use to reach this one (default: from --host/--port)
  --env NAME=VALUE         set a variable for the server process (repeatable)
  --pass-env NAME          pass a variable of the bridge's environment to the server (repeatable; * = all)
  --log-level LEVEL        fatal|error|warn|info|debug|trace|silent (default info; debug adds one
                           line per MCP operation with its duration, trace_id and span_id)
  --mcp-server-name NAME   the McpServer this bridge serves: in every log line (mcpServer) and the
                           default OpenTelemetry service.name (the operator sets it)
  --mcp-server-namespace NS  its namespace: in every log line (namespace) and k8s.namespace.name
  -h, --help               show this help
  --version                print the version

Traces (OpenTelemetry, OTLP over HTTP/protobuf) are exported only when OTEL_EXPORTER_OTLP_ENDPOINT or
OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set (and OTEL_SDK_DISABLED is not true, OTEL_TRACES_EXPORTER not
none); OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER[_ARG], OTEL_BSP_* and
OTEL_EXPORTER_OTLP_[TRACES_]HEADERS are honoured. See docs/observability.md.
The server process gets only HOME, LOGNAME, PATH, SHELL, TERM, USER, the --pass-env names and --env.
Endpoints: /mcp, /sse, /message, /healthz (alive), /readyz (can serve a session now), /metrics (Prometheus).`;

export class ConfigError extends Error {}

function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || host.startsWith('127.');
}

/** The OAuth options only make sense together; contradictions are refused at start, not at the first request. */
function checkAuthOptions(value: z.infer<typeof ConfigSchema>): void {
  if (value.oauthIssuer === undefined) {
    const needIssuer = (['oauthAudience', 'oauthScopes', 'toolScopes', 'forwardIdentity'] as const).filter((k) => {
      const v = value[k];
      return Array.isArray(v) ? v.length > 0 : v !== undefined && v !== false;
    });
    if (needIssuer.length > 0) {
      const flags = needIssuer.map((k) => `--${Object.entries(FLAGS).find(([, key]) => key === k)?.[0] ?? k}`);
      throw new ConfigError(`${flags.join(', ')} need --oauth-issuer (they act on validated OAuth access tokens)`);
    }
    return;
  }
  if (value.authTokenFile !== undefined) throw new ConfigError('give either --auth-token-file (one static token) or --oauth-issuer, not both');
  // A token's keys fetched over plain HTTP could be swapped by anyone on the path: https only, except
  // an issuer on this machine (tests, laptops).
  if (!value.oauthIssuer.startsWith('https:') && !isLoopbackUrl(value.oauthIssuer)) {
    throw new ConfigError(`--oauth-issuer must be an https URL (http only for a loopback address), got ${value.oauthIssuer}`);
  }
  for (const rule of value.toolScopes) {
    const eq = rule.indexOf('=');
    if (eq <= 0 || eq === rule.length - 1) throw new ConfigError(`--tool-scopes expects PATTERN=SCOPE, got "${rule}"`);
  }
}

export type ParseResult = { kind: 'help' } | { kind: 'version' } | { kind: 'config'; config: BridgeConfig };

function envName(flag: string): string {
  return `MCP_BRIDGE_${flag.toUpperCase().replaceAll('-', '_')}`;
}

function parseEnvPairs(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ConfigError(`--env expects NAME=VALUE, got "${pair}"`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/** Pure: argv (without node and script) and an environment in, a validated config out. */
export function parseConfig(argv: readonly string[], environment: Readonly<Record<string, string | undefined>>): ParseResult {
  const options = Object.fromEntries(
    Object.keys(FLAGS).map((flag) => [flag, BOOLEAN.has(flag) ? { type: 'boolean' as const } : { type: 'string' as const, multiple: REPEATABLE.has(flag) }]),
  );
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...options, help: { type: 'boolean', short: 'h' }, version: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}\nRun "mcp-bridge --help" for the options.`);
  }
  if (parsed.values.help === true) return { kind: 'help' };
  if (parsed.values.version === true) return { kind: 'version' };

  const raw: Record<string, unknown> = {};
  for (const [flag, key] of Object.entries(FLAGS)) {
    const fromFlag = (parsed.values as Record<string, unknown>)[flag];
    const fromEnv = environment[envName(flag)];
    if (fromFlag !== undefined) raw[key] = fromFlag;
    else if (fromEnv !== undefined && fromEnv !== '') raw[key] = REPEATABLE.has(flag) ? fromEnv.split(',') : fromEnv;
  }
  raw.command = parsed.positionals;

  const result = ConfigSchema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.map((i) => {
      const flag = Object.entries(FLAGS).find(([, key]) => key === i.path[0])?.[0] ?? String(i.path[0]);
      return `--${flag}: ${i.message}`;
    });
    throw new ConfigError(`invalid options:\n  ${issues.join('\n  ')}`);
  }
  const value = result.data;
  if (value.command.length === 0 && value.upstreamSocket === undefined) {
    throw new ConfigError('no server command: use "mcp-bridge [options] -- <command> [args...]" or --upstream-socket PATH');
  }
  if (value.headersTimeout > value.requestTimeout) {
    throw new ConfigError(`--headers-timeout (${value.headersTimeout}) must not exceed --request-timeout (${value.requestTimeout})`);
  }
  if (value.command.length > 0 && value.upstreamSocket !== undefined) {
    throw new ConfigError('give either a command after -- or --upstream-socket, not both');
  }
  checkAuthOptions(value);
  const otlpTracesUrl = otlpTracesUrlFrom(environment);
  return { kind: 'config', config: Object.freeze({ ...value, env: parseEnvPairs(value.env), ...(otlpTracesUrl !== undefined ? { otlpTracesUrl } : {}) }) };
}

/**
 * Where traces go, from the OpenTelemetry SDK's standard env (so the bridge is configured like any
 * instrumented service); undefined when tracing is off. Only OTLP over HTTP/protobuf is built in:
 * another protocol is refused at start rather than silently exporting nothing.
 */
export function otlpTracesUrlFrom(environment: Readonly<Record<string, string | undefined>>): string | undefined {
  const env = (name: string): string | undefined => {
    const value = environment[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  if (env('OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return undefined;
  const exporters = env('OTEL_TRACES_EXPORTER')?.split(',').map((s) => s.trim());
  if (exporters !== undefined && !exporters.includes('otlp')) return undefined;
  const signal = env('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const base = env('OTEL_EXPORTER_OTLP_ENDPOINT');
  if (signal === undefined && base === undefined) return undefined;
  const protocol = env('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? env('OTEL_EXPORTER_OTLP_PROTOCOL') ?? 'http/protobuf';
  if (protocol !== 'http/protobuf') {
    throw new ConfigError(`OTEL_EXPORTER_OTLP_PROTOCOL=${protocol} is not supported: the bridge exports traces over OTLP http/protobuf (port 4318 of a collector)`);
  }
  // The signal-specific URL is used as is; the base one gets the signal's path (OTLP exporter spec).
  const url = signal ?? `${(base ?? '').replace(/\/+$/, '')}/v1/traces`;
  try {
    new URL(url);
  } catch {
    throw new ConfigError(`OTEL_EXPORTER_OTLP_${signal !== undefined ? 'TRACES_' : ''}ENDPOINT is not a URL: ${url}`);
  }
  return url;
}
