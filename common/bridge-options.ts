// The bridge's command-line contract, once: every option's flag, env var, type, default and help. The
// bridge parses and validates with it (bridge/config-schema.ts) and prints --help from it (bridge/help.ts);
// the operator renders a pod's bridge arguments and env with it (operator/builders/bridge-args.ts, env.ts),
// and Compose gets them from the operator's pod (samples/compose.ts). Plain data, so both deployables can
// import it (common/ imports nothing). The flag names are a public contract: users' scripts rely on them.

/** What a value must be. Defaults are values, so --help prints the same number the parser uses. */
export type OptionType =
  | { readonly type: 'int'; readonly min: number; readonly max?: number; readonly default?: number }
  | { readonly type: 'boolean' }
  | { readonly type: 'string'; readonly nonEmpty?: boolean; readonly default?: string }
  /** An http(s) URL. */
  | { readonly type: 'url' }
  | { readonly type: 'enum'; readonly values: readonly [string, ...string[]]; readonly default: string }
  /** Comma-separated, repeatable; empty by default. */
  | { readonly type: 'list' }
  /** N/s, N/m or N/h with N > 0 (bridge/policy/rate-limit.ts). */
  | { readonly type: 'rate' };

export type OptionSpec = OptionType & {
  /** The value's placeholder in --help (N, SECONDS, PATH, ...); none for a boolean. */
  readonly arg?: string;
  readonly help: string;
  /** For an option without a fixed default: what --help says happens when it is not given. */
  readonly defaultText?: string;
};

const MiB = 1024 * 1024;

/** Key (the BridgeConfig field) → option, in --help order. The flag is the key in kebab-case. */
export const BRIDGE_OPTIONS = {
  port: { type: 'int', min: 0, max: 65535, default: 8080, arg: 'N', help: 'TCP port to listen on; 0 picks a free one' },
  host: { type: 'string', nonEmpty: true, default: '127.0.0.1', arg: 'ADDR', help: 'address to bind; use 0.0.0.0 in a container' },
  sessionMode: {
    type: 'enum',
    values: ['per-session', 'shared'],
    default: 'per-session',
    arg: 'MODE',
    help:
      'per-session: one server process per client session. shared: one server process for all sessions, initialized once. ' +
      '(2026-07-28 requests, which have no sessions, are served in both modes: shared on the shared process, per-session by --modern-workers)',
  },
  warmPool: { type: 'int', min: 0, max: 1000, default: 0, arg: 'N', help: 'per-session: keep N processes started and waiting' },
  warmPoolInitialize: {
    type: 'boolean',
    help:
      "per-session: the bridge also initializes the waiting processes, so a new session skips the server's first initialize (its cold code paths). " +
      'Such a process goes only to a client whose initialize asks the same protocol version ({LATEST_PROTOCOL_VERSION}) with no capabilities and no other params; ' +
      "any other client gets a fresh process (cold start). Trade-offs: the server sees the bridge's clientInfo, not the client's; " +
      'notifications the process sends before a client takes it are dropped',
  },
  modernWorkers: {
    type: 'int',
    min: 1,
    max: 1000,
    default: 8,
    arg: 'N',
    help: 'per-session: at most N initialized processes serving 2026-07-28 requests, one request at a time each and reused by later requests (more requests wait for a free one, up to 30 s)',
  },
  modernWarm: {
    type: 'int',
    min: 0,
    max: 1000,
    default: 0,
    arg: 'N',
    help: 'per-session: keep N such workers idle and initialized from the start, so 2026-07-28 requests do not wait for a cold start (0: none until the first such request; from then on one spare is kept)',
  },
  upstreamEra: {
    type: 'enum',
    values: ['auto', 'legacy'],
    default: 'auto',
    help:
      'auto: ask each process the bridge itself starts for 2026-07-28 requests (shared, --modern-workers) server/discover first; a 2026-07-28 server gets those requests as they are, ' +
      'a 2025-era one is initialized and they are downgraded. legacy: never ask (for a server that cannot take an unknown method before initialize; one that dies on the probe is taken for legacy anyway)',
  },
  mrtrMaxPending: {
    type: 'int',
    min: 1,
    default: 256,
    arg: 'N',
    help: "2026-07-28 calls whose server asked for client input (sampling, elicitation, roots) and now wait for the client's retry; more get the server's request refused",
  },
  mrtrTimeout: { type: 'int', min: 1, default: 300, arg: 'SECONDS', help: 'such a call is given up when no retry comes within this' },
  maxSessions: {
    type: 'int',
    min: 1,
    arg: 'N',
    help:
      'sessions at once. At the cap the session idle longest is ended for a new one (its client gets 404 and initializes again); ' +
      'only when every session has a request in flight does a new one get 503 (docs/reliability.md)',
    defaultText:
      "what the container's memory limit holds in per-session mode, from the measured size of a server process; 1000 without a limit, in shared mode, or behind --upstream-socket",
  },
  idleTimeout: { type: 'int', min: 0, default: 900, arg: 'SECONDS', help: 'end a session with no request for this long; 0 = never' },
  vanishedAfter: {
    type: 'int',
    min: 0,
    default: 60,
    arg: 'SECONDS',
    help:
      'end a 2025-era session that has no open stream (GET /mcp closed or never opened) and no request for this long: its client is most likely gone without a DELETE; ' +
      'if not, its next request gets 404 and it initializes again; 0 = never',
  },
  maxBody: { type: 'int', min: 1024, default: 4 * MiB, arg: 'BYTES', help: 'largest HTTP request body; larger gets 413' },
  maxLine: { type: 'int', min: 1024, default: 16 * MiB, arg: 'BYTES', help: 'largest JSON-RPC line from the server; larger ends the session' },
  maxQueue: { type: 'int', min: 64 * 1024, default: 8 * MiB, arg: 'BYTES', help: 'bytes queued for one slow SSE reader before its stream is closed' },
  headersTimeout: {
    type: 'int',
    min: 1,
    default: 20,
    arg: 'SECONDS',
    help: "a request's headers must arrive within this from its first byte, else 408 and the connection closes (slow-header clients, slowloris); at most --request-timeout",
  },
  requestTimeout: {
    type: 'int',
    min: 1,
    default: 120,
    arg: 'SECONDS',
    help: 'a request (headers and body) must arrive whole within this, else 408 and close; answers and streams (SSE, long tool calls) are not limited',
  },
  bodyTimeout: { type: 'int', min: 1, default: 30, arg: 'SECONDS', help: 'a request body that stalls (no byte) this long gets 408 and the connection closes' },
  relayRoots: {
    type: 'boolean',
    help: "shared: pass clients' roots/list to the server (off: the server gets an empty list, so e.g. a filesystem server cannot widen its directories for everyone)",
  },
  drainDelay: {
    type: 'int',
    min: 0,
    default: 5,
    arg: 'SECONDS',
    help:
      'on SIGTERM, keep serving (readiness already 503, responses Connection: close) this long so load balancers stop sending traffic first; ' +
      'then idle connections close, and what still arrives is served until sessions are quiet (within --shutdown-grace); only then new work gets 503',
  },
  /**
   * Not longer than --drain-delay by default: a connection idle since before a drain began is then gone
   * (clients such as undici close theirs a second early) before the drain closes idle connections, so no
   * request can race that close.
   */
  keepAliveTimeout: {
    type: 'int',
    min: 1,
    max: 3600,
    default: 5,
    arg: 'SECONDS',
    help:
      'idle keep-alive connections close after this (clients are told so in Keep-Alive: timeout=N). The default is the drain delay: a connection idle since before a drain ' +
      "is gone before the drain closes idle ones, so no request races that close; behind an L7 load balancer set it above the LB's idle timeout, and --drain-delay above it",
  },
  shutdownGrace: { type: 'int', min: 0, default: 20, arg: 'SECONDS', help: 'then, time for in-flight requests before processes stop' },
  drainSocket: {
    type: 'string',
    arg: 'PATH',
    help:
      'listen on this Unix socket too: a connection starts the same shutdown as SIGTERM and is answered when the drain is over; the process then waits for its signal. ' +
      "For a pod whose server container stops before the bridge (sidecar topology): its preStop hook (mcp-agent --drain PATH) keeps the server running through the bridge's drain",
  },
  allowedOrigins: {
    type: 'list',
    arg: 'LIST',
    help: "extra browser origins allowed (comma list, or *); the bridge's own host and localhost are always allowed; requests without Origin are always allowed",
  },
  allowedHosts: {
    type: 'list',
    arg: 'LIST',
    help: 'Host headers allowed (comma list)',
    defaultText: 'any; only localhost names when bound to a loopback address, against DNS rebinding',
  },
  authTokenFile: {
    type: 'string',
    arg: 'PATH',
    help: 'require "Authorization: Bearer <token>" with the token in this file (a static shared secret; for per-client identities use --oauth-issuer instead)',
  },
  publicUrl: {
    type: 'url',
    arg: 'URL',
    help:
      "this server's canonical base URL as clients reach it (e.g. https://files.example.com): the OAuth resource (RFC 8707/9728) and the base of the protected resource metadata",
    defaultText: 'http://HOST:PORT as bound, right only when clients connect to exactly that, e.g. on a laptop',
  },
  oauthIssuer: {
    type: 'url',
    arg: 'URL',
    help:
      'OAuth 2.1 resource-server mode: every /mcp, /sse, /message request needs a JWT access token from this issuer (https; http only on a loopback address). ' +
      'Its keys come from the jwks_uri of its /.well-known/oauth-authorization-server or /.well-known/openid-configuration. ' +
      'Serves /.well-known/oauth-protected-resource (RFC 9728). See docs/security.md',
  },
  oauthAudience: { type: 'string', nonEmpty: true, arg: 'URI', help: "the token's aud must contain this", defaultText: '--public-url' },
  oauthScopes: { type: 'list', arg: 'LIST', help: 'scopes every request needs (comma list, repeatable)' },
  oauthJwksCache: { type: 'int', min: 1, default: 600, arg: 'SECONDS', help: "keep the issuer's keys this long before fetching them again" },
  oauthJwksCooldown: {
    type: 'int',
    min: 0,
    default: 30,
    arg: 'SECONDS',
    help: 'a token with an unknown key id fetches the keys again at most once per this (key rotation without restart, and no fetch storm from forged kids)',
  },
  toolsAllow: { type: 'list', arg: 'LIST', help: 'only these tools are listed and callable (names or globs with *, ?; comma list)' },
  toolsDeny: { type: 'list', arg: 'LIST', help: 'these tools are never listed nor callable (deny wins over allow)' },
  toolScopes: {
    type: 'list',
    arg: 'RULE',
    help:
      'PATTERN=SCOPE: tools matching PATTERN need SCOPE in the token (repeatable; all matching rules apply). ' +
      'Without it a tool is hidden, and a call gets 403 insufficient_scope naming the scope (step-up). Needs --oauth-issuer',
  },
  promptsAllow: {
    type: 'list',
    arg: 'LIST',
    help: 'only these prompts (names or globs) are listed and gettable; others vanish from prompts/list and prompts/get answers -32602',
  },
  promptsDeny: { type: 'list', arg: 'LIST', help: 'these prompts are never listed nor gettable (deny wins over allow)' },
  resourcesAllow: {
    type: 'list',
    arg: 'LIST',
    help: 'only these resources (URIs or globs) are listed and readable; others vanish from resources/list, read/subscribe answer -32002 (Resource not found)',
  },
  resourcesDeny: {
    type: 'list',
    arg: 'LIST',
    help: 'these resources are never listed nor readable, nor templates whose text matches (deny wins over allow)',
  },
  rateLimit: {
    type: 'rate',
    arg: 'RATE',
    help:
      "tools/call per caller and tool: N/s, N/m or N/h (token bucket, per pod; caller = the token's sub, else the connecting address). " +
      'Over it: HTTP 429, Retry-After, JSON-RPC error -32029; the call never reaches the server',
    defaultText: 'none',
  },
  rateLimitBurst: { type: 'int', min: 1, arg: 'N', help: 'calls allowed at once after a quiet period', defaultText: 'the N of --rate-limit' },
  forwardIdentity: {
    type: 'boolean',
    help:
      'give the server the validated caller (sub, client_id, scopes) in each request\'s params._meta["dev.mcp-sidecar/identity"] ' +
      "(off: never; a client's own value of that key is always removed). Needs --oauth-issuer",
  },
  upstreamSocket: { type: 'string', arg: 'PATH', help: 'connect to the stdio agent on this Unix socket instead of spawning <command>' },
  installAgent: { type: 'string', arg: 'PATH', help: 'copy the bundled stdio agent binary to PATH at start (sidecar topology)' },
  dataLock: {
    type: 'list',
    arg: 'DIR',
    help:
      'before listening or starting any server process, wait for an exclusive lock (flock) on each DIR and hold it until exit: ' +
      "a single-writer data volume's root, so a replacement pod never runs its server while the old pod still does (repeatable)",
  },
  sessionKeyFile: { type: 'string', arg: 'PATH', help: 'key that signs session ids (same for all replicas of a server)', defaultText: 'random' },
  advertiseAddress: { type: 'string', arg: 'A', help: 'host:port other replicas use to reach this one', defaultText: 'from --host/--port' },
  peers: {
    type: 'list',
    arg: 'HOST:PORT',
    help:
      "the other replicas of this server (a HOST resolving to every replica's address: a headless Service; comma list, repeatable). " +
      "Shared mode: when this one stops, it hands its sessions' subscriptions and log levels to them, so the replica that adopts a session resumes them",
  },
  env: { type: 'list', arg: 'NAME=VALUE', help: 'set a variable for the server process (repeatable)' },
  passEnv: { type: 'list', arg: 'NAME', help: "pass a variable of the bridge's environment to the server (repeatable; * = all)" },
  logLevel: {
    type: 'enum',
    values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'],
    default: 'info',
    arg: 'LEVEL',
    help: 'fatal|error|warn|info|debug|trace|silent (debug adds one line per MCP operation with its duration, trace_id and span_id)',
  },
  mcpServerName: {
    type: 'string',
    nonEmpty: true,
    arg: 'NAME',
    help: 'the McpServer this bridge serves: in every log line (mcpServer) and the default OpenTelemetry service.name (the operator sets it)',
  },
  mcpServerNamespace: { type: 'string', nonEmpty: true, arg: 'NS', help: 'its namespace: in every log line (namespace) and k8s.namespace.name' },
} as const satisfies Record<string, OptionSpec>;

export type BridgeOptionKey = keyof typeof BRIDGE_OPTIONS;
type Options = typeof BRIDGE_OPTIONS;

/** The value an option parses to. */
export type OptionValue<O> = O extends { type: 'int' }
  ? number
  : O extends { type: 'boolean' }
    ? boolean
    : O extends { type: 'list' }
      ? string[]
      : O extends { type: 'enum'; values: readonly (infer V)[] }
        ? V
        : string;

/** Options that always have a value after parsing: a default, or false / [] when not given. */
type Always<O> = O extends { default: unknown } ? true : O extends { type: 'boolean' | 'list' } ? true : false;

/** Every option's parsed value (BridgeConfig is this, plus the command and what is derived from them). */
export type BridgeOptionValues = { [K in BridgeOptionKey as Always<Options[K]> extends true ? K : never]: OptionValue<Options[K]> } & {
  [K in BridgeOptionKey as Always<Options[K]> extends true ? never : K]?: OptionValue<Options[K]>;
};

/** `sessionMode` → `session-mode`. */
export function flagName(key: BridgeOptionKey): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** `sessionMode` → `MCP_BRIDGE_SESSION_MODE`: every option is also read from this variable (flags win). */
export function envVarName(key: BridgeOptionKey): string {
  return `MCP_BRIDGE_${flagName(key).toUpperCase().replaceAll('-', '_')}`;
}

/** What a renderer may be given for an option: its parsed type (numbers as numbers, lists as arrays), or nothing. */
export type OptionArg<K extends BridgeOptionKey> = (Options[K] extends { type: 'list' } ? readonly string[] : OptionValue<Options[K]>) | undefined;

/**
 * The argv for one option: nothing when the value is unset (undefined, false, an empty list), a bare flag
 * for a boolean, else the flag and its value (a list joined with commas, as the parser splits it).
 */
export function optionArgs<K extends BridgeOptionKey>(key: K, value: OptionArg<K>): string[] {
  if (value === undefined || value === false) return [];
  const flag = `--${flagName(key)}`;
  if (value === true) return [flag];
  if (Array.isArray(value)) return value.length === 0 ? [] : [flag, value.join(',')];
  return [flag, String(value)];
}
