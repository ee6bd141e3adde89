// The bridge's CLI contract (bridge/: `mcp-bridge [options] -- <command> [args...]`), rendered from a spec.
// Every flag comes from the options' one description (common/bridge-options.ts): a renamed or retyped
// option is a compile error here, not a pod that fails to start.
import { optionArgs } from '../../common/bridge-options.js';
import { AUTH_TOKEN_FILE, BRIDGE_DRAIN_DELAY_SECONDS, BRIDGE_SHUTDOWN_GRACE_SECONDS, SESSION_KEY_FILE } from '../api/constants.js';
import type { McpServerSpec, SessionMode } from '../api/mcp-server.js';

const SESSION_MODE_FLAG = { perSession: 'per-session', shared: 'shared' } as const satisfies Record<SessionMode, string>;

/**
 * spec.auth and spec.tools as bridge flags. `serviceUrl` is the in-cluster base URL the operator
 * knows (the default OAuth resource when spec.auth.publicUrl is not set).
 */
export function policyFlags(spec: McpServerSpec, serviceUrl: string): string[] {
  const { auth, tools } = spec;
  return [
    ...(auth === undefined
      ? []
      : [
          ...optionArgs('oauthIssuer', auth.issuer),
          ...optionArgs('publicUrl', auth.publicUrl ?? serviceUrl),
          ...optionArgs('oauthAudience', auth.audience),
          ...optionArgs('oauthScopes', auth.scopes),
          ...optionArgs('oauthJwksCache', auth.jwksCacheSeconds),
          ...optionArgs('forwardIdentity', auth.forwardIdentity),
        ]),
    ...optionArgs('promptsAllow', spec.prompts?.allow),
    ...optionArgs('promptsDeny', spec.prompts?.deny),
    ...optionArgs('resourcesAllow', spec.resourceUris?.allow),
    ...optionArgs('resourcesDeny', spec.resourceUris?.deny),
    ...optionArgs('toolsAllow', tools?.allow),
    ...optionArgs('toolsDeny', tools?.deny),
    // One flag per rule (joined with commas they would parse the same): the args, and so the pod template
    // hash of running McpServers, stay what they were.
    ...(tools?.scopes ?? []).flatMap((rule) => optionArgs('toolScopes', [`${rule.tools}=${rule.scope}`])),
    ...optionArgs('rateLimit', tools?.rateLimit?.rate),
    ...optionArgs('rateLimitBurst', tools?.rateLimit?.burst),
  ];
}

/** Flags common to both bridge topologies (everything before `--` or the upstream flags). */
export function bridgeFlags(spec: McpServerSpec, serviceUrl: string): string[] {
  const { bridge, sessions } = spec;
  return [
    // The bridge binds 127.0.0.1 by default (DNS-rebinding safety on laptops); in a pod it must listen on all.
    ...optionArgs('host', '0.0.0.0'),
    ...optionArgs('port', bridge.port),
    ...optionArgs('sessionMode', SESSION_MODE_FLAG[sessions.mode]),
    ...optionArgs('warmPool', sessions.warmPool),
    ...optionArgs('warmPoolInitialize', sessions.warmPoolInitialize),
    ...optionArgs('maxSessions', sessions.maxSessions),
    ...optionArgs('idleTimeout', sessions.idleTimeoutSeconds),
    ...optionArgs('maxBody', bridge.maxBodyBytes),
    ...optionArgs('maxLine', bridge.maxLineBytes),
    ...optionArgs('allowedOrigins', bridge.allowedOrigins),
    ...optionArgs('authTokenFile', bridge.authTokenSecretRef === undefined ? undefined : AUTH_TOKEN_FILE),
    ...policyFlags(spec, serviceUrl),
    ...optionArgs('sessionKeyFile', SESSION_KEY_FILE),
    // Longer than the bridge's defaults: see BRIDGE_DRAIN_DELAY_SECONDS.
    ...optionArgs('drainDelay', BRIDGE_DRAIN_DELAY_SECONDS),
    ...optionArgs('shutdownGrace', BRIDGE_SHUTDOWN_GRACE_SECONDS),
  ];
}

/**
 * The bridge gives the server process only a minimal environment plus what --pass-env names (rule 8), so
 * in the embedded topology every variable meant for the server is passed on by name; with envFrom the
 * names are not known here, so everything is passed.
 */
export function passEnvFlags(spec: McpServerSpec, runtimeNames: readonly string[]): string[] {
  if (spec.envFrom.length > 0) return optionArgs('passEnv', ['*']);
  const names = [...runtimeNames, ...spec.env.map((e) => e.name)].filter((n, i, all) => all.indexOf(n) === i && n !== 'HOME');
  return names.flatMap((n) => optionArgs('passEnv', [n]));
}

/** Embedded topology: the bridge spawns the server itself. */
export function embeddedBridgeArgs(spec: McpServerSpec, serviceUrl: string, runtimeNames: readonly string[], dataLocks: readonly string[] = []): string[] {
  return [...bridgeFlags(spec, serviceUrl), ...optionArgs('dataLock', [...dataLocks]), ...passEnvFlags(spec, runtimeNames), '--', ...spec.command, ...spec.args];
}

/** Sidecar topology: the bridge talks to the agent in the server container over the shared volume. */
export function sidecarBridgeArgs(spec: McpServerSpec, serviceUrl: string, socket: string, agentPath: string, dataLocks: readonly string[] = [], drainSocket?: string): string[] {
  return [...bridgeFlags(spec, serviceUrl), ...optionArgs('dataLock', [...dataLocks]), ...optionArgs('upstreamSocket', socket), ...optionArgs('installAgent', agentPath), ...optionArgs('drainSocket', drainSocket)];
}
