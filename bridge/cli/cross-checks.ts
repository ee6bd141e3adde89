// Rules that span several options (one option's own bounds are in its description): contradictions are
// refused at start, not at the first request. Each refusal is a ConfigError naming the flags.
import { flagName, type BridgeOptionValues } from '../../common/bridge-options.js';
import { ConfigError } from './config-error.js';

function isLoopbackUrl(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || host.startsWith('127.');
}

/** Where the server comes from, and the timeouts' order. */
export function checkServerOptions(value: BridgeOptionValues & { command: readonly string[] }): void {
  if (value.command.length === 0 && value.upstreamSocket === undefined) {
    throw new ConfigError('no server command: use "mcp-bridge [options] -- <command> [args...]" or --upstream-socket PATH');
  }
  if (value.headersTimeout > value.requestTimeout) {
    throw new ConfigError(`--headers-timeout (${value.headersTimeout}) must not exceed --request-timeout (${value.requestTimeout})`);
  }
  if (value.command.length > 0 && value.upstreamSocket !== undefined) {
    throw new ConfigError('give either a command after -- or --upstream-socket, not both');
  }
}

const NEED_ISSUER = ['oauthAudience', 'oauthScopes', 'toolScopes', 'forwardIdentity'] as const;

/** The OAuth options only make sense together. */
export function checkAuthOptions(value: BridgeOptionValues): void {
  if (value.oauthIssuer === undefined) {
    const flags = NEED_ISSUER.filter((k) => {
      const v = value[k];
      return Array.isArray(v) ? v.length > 0 : v !== undefined && v !== false;
    }).map((k) => `--${flagName(k)}`);
    if (flags.length > 0) throw new ConfigError(`${flags.join(', ')} need --oauth-issuer (they act on validated OAuth access tokens)`);
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
