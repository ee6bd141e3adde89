// Checks every MCP request passes before it touches a session: Host, Origin. (Authentication comes
// right after, in one place: auth/authenticator.ts.)
import type { IncomingMessage } from 'node:http';

export interface GuardConfig {
  /** Empty = any Host. */
  readonly allowedHosts: readonly string[];
  /** Extra origins beyond the bridge's own host and localhost; '*' = any. */
  readonly allowedOrigins: readonly string[];
}

export type GuardVerdict = { ok: true } | { ok: false; status: 403; message: string; headers?: Record<string, string> };

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]', '::1'];

export function isLoopbackBind(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/** Host names the bridge accepts by default when it listens on a loopback address (DNS rebinding). */
export function defaultAllowedHosts(bindHost: string, explicit: readonly string[]): readonly string[] {
  if (explicit.length > 0) return explicit;
  return isLoopbackBind(bindHost) ? LOOPBACK_NAMES : [];
}

function hostname(hostHeader: string): string {
  // "[::1]:8080" → "[::1]"; "example.com:80" → "example.com"
  if (hostHeader.startsWith('[')) return hostHeader.slice(0, hostHeader.indexOf(']') + 1);
  const colon = hostHeader.lastIndexOf(':');
  return (colon === -1 ? hostHeader : hostHeader.slice(0, colon)).toLowerCase();
}

export function checkRequest(req: IncomingMessage, guard: GuardConfig): GuardVerdict {
  const host = req.headers.host ?? '';
  if (guard.allowedHosts.length > 0 && !guard.allowedHosts.includes(hostname(host)) && !guard.allowedHosts.includes(host)) {
    return { ok: false, status: 403, message: `Forbidden: Host "${host}" is not allowed` };
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !guard.allowedOrigins.includes('*') && !guard.allowedOrigins.includes(origin)) {
    let originHost: string;
    try {
      originHost = new URL(origin).host;
    } catch {
      return { ok: false, status: 403, message: `Forbidden: Origin "${origin}" is not allowed` };
    }
    const sameHost = originHost.toLowerCase() === host.toLowerCase();
    if (!sameHost && !LOOPBACK_NAMES.includes(hostname(originHost))) {
      return { ok: false, status: 403, message: `Forbidden: Origin "${origin}" is not allowed` };
    }
  }
  return { ok: true };
}
