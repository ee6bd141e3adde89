// What a legacy server's answer becomes for a 2026-07-28 client: every result says `resultType`,
// names the server in `_meta`, and list/read results carry the caching hints the revision requires
// (CacheableResult). Pure.
import { ErrorCodes, type JSONRPCMessage, type RequestId } from '../jsonrpc.js';
import { META } from './envelope.js';

export interface ServerInfo {
  readonly name: string;
  readonly version: string;
}

/** Methods whose complete results must carry ttlMs and cacheScope (server/utilities/caching). */
const CACHEABLE = new Set(['server/discover', 'tools/list', 'prompts/list', 'resources/list', 'resources/templates/list', 'resources/read']);

/**
 * Caching hints for a legacy server's results. The bridge cannot know how long a legacy server's
 * lists stay fresh (its list_changed notifications reach only subscribers), so it says 0: "re-fetch
 * when you need it" — correct for every server, never stale. Lists are the same for every caller
 * (the bridge initializes every process alike), so they are public; a read may depend on the
 * caller's data, so it is private.
 */
export function cacheHints(method: string): { ttlMs: number; cacheScope: 'public' | 'private' } | undefined {
  if (!CACHEABLE.has(method)) return undefined;
  return { ttlMs: 0, cacheScope: method === 'resources/read' ? 'private' : 'public' };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A complete result in the modern shape (fields the server already set are kept). */
export function modernResult(method: string, result: unknown, serverInfo: ServerInfo | undefined): Record<string, unknown> {
  const base = isObject(result) ? result : {};
  const meta = isObject(base._meta) ? base._meta : {};
  const hints = base.resultType === undefined || base.resultType === 'complete' ? cacheHints(method) : undefined;
  return {
    ...(hints ?? {}),
    ...base,
    resultType: base.resultType ?? 'complete',
    ...(serverInfo !== undefined || Object.keys(meta).length > 0 ? { _meta: { ...(serverInfo !== undefined ? { [META.serverInfo]: serverInfo } : {}), ...meta } } : {}),
  };
}

/**
 * A legacy server's response to a modern request, with the client's id. Results get the modern
 * shape; errors pass as they are except "resource not found", which 2026-07-28 moved from -32002 to
 * -32602 (Invalid params).
 */
export function modernResponse(method: string, response: JSONRPCMessage, id: RequestId, serverInfo: ServerInfo | undefined, target?: string): JSONRPCMessage {
  if ('result' in response) return { jsonrpc: '2.0', id, result: modernResult(method, response.result, serverInfo) };
  if ('error' in response && isObject(response.error)) {
    const error = response.error;
    if (method === 'resources/read' && (error.code === ErrorCodes.upstreamClosed || error.code === -32602) && /not found/i.test(error.message)) {
      // The revision's resource-not-found: -32602, naming the URI in data.
      const data = isObject(error.data) ? error.data : {};
      return { jsonrpc: '2.0', id, error: { ...error, code: -32602, data: { ...data, ...(target !== undefined ? { uri: target } : {}) } } };
    }
    return { jsonrpc: '2.0', id, error };
  }
  return { ...response, id };
}

/** HTTP status of a modern JSON answer: the revision wants 404 for an unknown method, 400 for -32021. */
export function statusForModernResponse(response: JSONRPCMessage): number {
  if (!('error' in response) || !isObject(response.error)) return 200;
  const code = (response.error as { code?: unknown }).code;
  if (code === ErrorCodes.methodNotFound) return 404;
  if (code === -32021) return 400;
  return 200;
}

/** What server/discover answers for a legacy server, from the initialize result the bridge holds. */
export function discoverResult(
  init: { capabilities: Record<string, unknown>; serverInfo: ServerInfo; instructions?: string },
  modernVersions: readonly string[],
  legacyVersions: readonly string[],
): Record<string, unknown> {
  return {
    resultType: 'complete',
    supportedVersions: [...modernVersions, ...legacyVersions],
    capabilities: init.capabilities,
    ...(init.instructions !== undefined ? { instructions: init.instructions } : {}),
    _meta: { [META.serverInfo]: init.serverInfo },
    ...cacheHints('server/discover'),
  };
}
