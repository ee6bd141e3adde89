// The bridge's CLI contract (bridge/: `mcp-bridge [options] -- <command> [args...]`), rendered from a spec.
import { AUTH_TOKEN_FILE, BRIDGE_DRAIN_DELAY_SECONDS, BRIDGE_SHUTDOWN_GRACE_SECONDS, SESSION_KEY_FILE } from '../api/constants.js';
import type { McpServerSpec, SessionMode } from '../api/mcp-server.js';

const SESSION_MODE_FLAG: Record<SessionMode, string> = { perSession: 'per-session', shared: 'shared' };

/**
 * spec.auth and spec.tools as bridge flags. `serviceUrl` is the in-cluster base URL the operator
 * knows (the default OAuth resource when spec.auth.publicUrl is not set).
 */
export function policyFlags(spec: McpServerSpec, serviceUrl: string): string[] {
  const flags: string[] = [];
  const { auth, tools } = spec;
  if (auth !== undefined) {
    flags.push('--oauth-issuer', auth.issuer, '--public-url', auth.publicUrl ?? serviceUrl);
    if (auth.audience !== undefined) flags.push('--oauth-audience', auth.audience);
    if (auth.scopes.length > 0) flags.push('--oauth-scopes', auth.scopes.join(','));
    if (auth.jwksCacheSeconds !== undefined) flags.push('--oauth-jwks-cache', String(auth.jwksCacheSeconds));
    if (auth.forwardIdentity) flags.push('--forward-identity');
  }
  if (spec.prompts !== undefined) {
    if (spec.prompts.allow.length > 0) flags.push('--prompts-allow', spec.prompts.allow.join(','));
    if (spec.prompts.deny.length > 0) flags.push('--prompts-deny', spec.prompts.deny.join(','));
  }
  if (spec.resourceUris !== undefined) {
    if (spec.resourceUris.allow.length > 0) flags.push('--resources-allow', spec.resourceUris.allow.join(','));
    if (spec.resourceUris.deny.length > 0) flags.push('--resources-deny', spec.resourceUris.deny.join(','));
  }
  if (tools !== undefined) {
    if (tools.allow.length > 0) flags.push('--tools-allow', tools.allow.join(','));
    if (tools.deny.length > 0) flags.push('--tools-deny', tools.deny.join(','));
    for (const rule of tools.scopes) flags.push('--tool-scopes', `${rule.tools}=${rule.scope}`);
    if (tools.rateLimit !== undefined) {
      flags.push('--rate-limit', tools.rateLimit.rate);
      if (tools.rateLimit.burst !== undefined) flags.push('--rate-limit-burst', String(tools.rateLimit.burst));
    }
  }
  return flags;
}

/** Flags common to both bridge topologies (everything before `--` or the upstream flags). */
export function bridgeFlags(spec: McpServerSpec, serviceUrl: string): string[] {
  const { bridge, sessions } = spec;
  // The bridge binds 127.0.0.1 by default (DNS-rebinding safety on laptops); in a pod it must listen on all.
  const flags = ['--host', '0.0.0.0', '--port', String(bridge.port), '--session-mode', SESSION_MODE_FLAG[sessions.mode]];
  if (sessions.warmPool !== undefined) flags.push('--warm-pool', String(sessions.warmPool));
  if (sessions.warmPoolInitialize === true) flags.push('--warm-pool-initialize');
  if (sessions.maxSessions !== undefined) flags.push('--max-sessions', String(sessions.maxSessions));
  if (sessions.idleTimeoutSeconds !== undefined) flags.push('--idle-timeout', String(sessions.idleTimeoutSeconds));
  if (bridge.maxBodyBytes !== undefined) flags.push('--max-body', String(bridge.maxBodyBytes));
  if (bridge.maxLineBytes !== undefined) flags.push('--max-line', String(bridge.maxLineBytes));
  if (bridge.allowedOrigins.length > 0) flags.push('--allowed-origins', bridge.allowedOrigins.join(','));
  if (bridge.authTokenSecretRef !== undefined) flags.push('--auth-token-file', AUTH_TOKEN_FILE);
  flags.push(...policyFlags(spec, serviceUrl));
  flags.push('--session-key-file', SESSION_KEY_FILE);
  flags.push('--drain-delay', String(BRIDGE_DRAIN_DELAY_SECONDS), '--shutdown-grace', String(BRIDGE_SHUTDOWN_GRACE_SECONDS));
  return flags;
}

/**
 * The bridge gives the server process only a minimal environment plus what --pass-env names (rule 8), so
 * in the embedded topology every variable meant for the server is passed on by name; with envFrom the
 * names are not known here, so everything is passed.
 */
export function passEnvFlags(spec: McpServerSpec, runtimeNames: readonly string[]): string[] {
  if (spec.envFrom.length > 0) return ['--pass-env', '*'];
  const names = [...runtimeNames, ...spec.env.map((e) => e.name)].filter((n, i, all) => all.indexOf(n) === i && n !== 'HOME');
  return names.flatMap((n) => ['--pass-env', n]);
}

/** Embedded topology: the bridge spawns the server itself. */
export function embeddedBridgeArgs(spec: McpServerSpec, serviceUrl: string, runtimeNames: readonly string[]): string[] {
  return [...bridgeFlags(spec, serviceUrl), ...passEnvFlags(spec, runtimeNames), '--', ...spec.command, ...spec.args];
}

/** Sidecar topology: the bridge talks to the agent in the server container over the shared volume. */
export function sidecarBridgeArgs(spec: McpServerSpec, serviceUrl: string, socket: string, agentPath: string): string[] {
  return [...bridgeFlags(spec, serviceUrl), '--upstream-socket', socket, '--install-agent', agentPath];
}
