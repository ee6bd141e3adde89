// Applies the tool policy and identity forwarding to one client request, whatever the transport or
// era: a call of a hidden tool never reaches the server; a tools/list answer loses the hidden tools on
// its way back to this caller only (a shared process serves callers with different rights at once).
import type { Identity } from '../auth/identity.js';
import { errorResponse, type JSONRPCMessage, type JsonRpcParams, type JsonRpcRequest } from '../jsonrpc.js';
import type { ReplyTarget } from '../sessions/reply-target.js';
import type { NamePolicy } from './name-policy.js';
import type { RateLimiter } from './rate-limit.js';
import type { ToolPolicy } from './tool-policy.js';

/** Where the validated caller goes with --forward-identity; a client's own value is always removed. */
export const IDENTITY_META_KEY = 'dev.mcp-sidecar/identity';

/**
 * The JSON-RPC code for a call of a hidden tool: -32602 (Invalid params), the code the spec gives an
 * unknown tool, so SDK clients treat it as exactly that (ADR 0002).
 */
export const TOOL_DENIED_CODE = -32602;
/** A prompts/get of a hidden prompt: -32602, the spec's code for an unknown prompt name. */
export const PROMPT_DENIED_CODE = -32602;
/** A read or subscribe of a hidden resource: -32002, the spec's "Resource not found". */
export const RESOURCE_DENIED_CODE = -32002;

/**
 * The JSON-RPC code of a call refused by --rate-limit (with HTTP 429 and Retry-After). The spec has none;
 * -32029 is in the implementation-defined server-error range and echoes the HTTP status.
 */
export const RATE_LIMITED_CODE = -32029;

export type GateResult =
  | { readonly kind: 'pass'; readonly request: JsonRpcRequest; readonly wrap: ((target: ReplyTarget) => ReplyTarget) | undefined }
  /** Answer this instead of sending the request on. */
  | { readonly kind: 'refuse'; readonly response: JSONRPCMessage }
  /** The caller lacks scopes a scope rule names: HTTP 403 insufficient_scope, so it can ask for them. */
  | { readonly kind: 'step-up'; readonly scopes: readonly string[] }
  /** The caller used its rate for this tool: HTTP 429 with Retry-After. */
  | { readonly kind: 'throttle'; readonly retryAfterSeconds: number; readonly message: string };

export interface GateOptions {
  readonly policy: ToolPolicy;
  readonly forwardIdentity: boolean;
  /** Per (subject, tool) token buckets for tools/call (--rate-limit); undefined = no limit. */
  readonly rateLimiter?: RateLimiter;
  /** --prompts-allow / --prompts-deny (prompt names). */
  readonly prompts?: NamePolicy;
  /** --resources-allow / --resources-deny (resource URIs). */
  readonly resources?: NamePolicy;
}

/** Who is counted: the token's subject, else the connecting address. */
export interface GateCaller {
  readonly identity: Identity | undefined;
  readonly address: string;
}

function withMeta(request: JsonRpcRequest, identity: Identity | undefined, forward: boolean): JsonRpcRequest {
  const meta = request.params?._meta;
  const planted = meta !== undefined && IDENTITY_META_KEY in meta;
  const give = forward && identity !== undefined;
  if (!planted && !give) return request;
  const rest = Object.fromEntries(Object.entries(meta ?? {}).filter(([key]) => key !== IDENTITY_META_KEY));
  if (give) rest[IDENTITY_META_KEY] = { sub: identity.subject, client_id: identity.clientId, scopes: [...identity.scopes] };
  const params: JsonRpcParams = { ...request.params, _meta: rest };
  return { ...request, params };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A list response keeping only the items whose `field` the predicate allows (other results as they are). */
function filterList(response: JSONRPCMessage, key: string, field: string, allowed: (value: string) => boolean): JSONRPCMessage {
  if (!('result' in response) || !isObject(response.result) || !Array.isArray(response.result[key])) return response;
  const items = (response.result[key] as unknown[]).filter((t) => isObject(t) && typeof t[field] === 'string' && allowed(t[field]));
  return { ...response, result: { ...response.result, [key]: items } };
}

/** A tools/list response with only the tools this caller may see (and, if lists vary by caller, cacheScope private). */
export function filterToolList(response: JSONRPCMessage, policy: ToolPolicy, identity: Identity | undefined): JSONRPCMessage {
  const filtered = filterList(response, 'tools', 'name', (name) => policy.decide(name, identity).ok);
  if (policy.perCaller && 'result' in filtered && isObject(filtered.result) && filtered.result.cacheScope === 'public') {
    return { ...filtered, result: { ...filtered.result, cacheScope: 'private' } };
  }
  return filtered;
}

/** The list filter of a method, or undefined when the gate leaves its answers alone. */
function listFilter(options: GateOptions, identity: Identity | undefined, method: string): ((m: JSONRPCMessage) => JSONRPCMessage) | undefined {
  const { policy, prompts, resources } = options;
  const allowedBy = (p: NamePolicy) => (value: string) => p.refusal(value) === undefined;
  if (method === 'tools/list' && !policy.empty) return (m) => filterToolList(m, policy, identity);
  if (method === 'prompts/list' && prompts !== undefined && !prompts.empty) return (m) => filterList(m, 'prompts', 'name', allowedBy(prompts));
  if (method === 'resources/list' && resources !== undefined && !resources.empty) return (m) => filterList(m, 'resources', 'uri', allowedBy(resources));
  // A template is hidden when its template text itself is refused (file:///secret/{name} by file:///secret/*);
  // reads are checked on the concrete URI whatever the templates say.
  if (method === 'resources/templates/list' && resources !== undefined && !resources.empty) return (m) => filterList(m, 'resourceTemplates', 'uriTemplate', allowedBy(resources));
  return undefined;
}

const RESOURCE_METHODS = new Set(['resources/read', 'resources/subscribe', 'resources/unsubscribe']);

/** A prompts/get or resource use the prompt/resource policy refuses, as the bridge's own answer. */
function nameRefusal(options: GateOptions, request: JsonRpcRequest): JSONRPCMessage | undefined {
  const { prompts, resources } = options;
  if (request.method === 'prompts/get' && prompts !== undefined) {
    const name = request.params?.name;
    const why = prompts.refusal(typeof name === 'string' ? name : '');
    if (why !== undefined) return errorResponse(request.id, PROMPT_DENIED_CODE, `Prompt ${JSON.stringify(name)} is not available: ${why} (bridge prompt policy)`);
  }
  if (RESOURCE_METHODS.has(request.method) && resources !== undefined) {
    const uri = request.params?.uri;
    const why = resources.refusal(typeof uri === 'string' ? uri : '');
    if (why !== undefined) return errorResponse(request.id, RESOURCE_DENIED_CODE, `Resource not found: ${JSON.stringify(uri)} is not available: ${why} (bridge resource policy)`);
  }
  return undefined;
}

export function gateRequest(options: GateOptions, caller: GateCaller, request: JsonRpcRequest): GateResult {
  const { policy } = options;
  const { identity } = caller;
  if (request.method === 'tools/call') {
    const name = request.params?.name;
    const tool = typeof name === 'string' ? name : '';
    const decision = policy.decide(tool, identity);
    if (!decision.ok) {
      if (decision.reason === 'scope') return { kind: 'step-up', scopes: decision.scopes };
      return { kind: 'refuse', response: errorResponse(request.id, TOOL_DENIED_CODE, `Tool ${JSON.stringify(name)} is not available: ${decision.detail} (bridge tool policy)`) };
    }
    // A retry of an MRTR round continues a call already counted: not counted again.
    const retry = request.params?.requestState !== undefined;
    if (options.rateLimiter !== undefined && !retry) {
      const subject = identity !== undefined ? `sub:${identity.subject}` : `addr:${caller.address}`;
      const rate = options.rateLimiter.take(subject, tool);
      if (!rate.ok) {
        return { kind: 'throttle', retryAfterSeconds: rate.retryAfterSeconds, message: `Too Many Requests: the rate limit for tool ${JSON.stringify(tool)} is used up; retry after ${String(rate.retryAfterSeconds)} s (bridge --rate-limit)` };
      }
    }
  }
  const refused = nameRefusal(options, request);
  if (refused !== undefined) return { kind: 'refuse', response: refused };
  const filter = listFilter(options, identity, request.method);
  const wrap = filter !== undefined
    ? (target: ReplyTarget): ReplyTarget => ({
        deliver: (m) => target.deliver(m),
        complete: (m) => target.complete(filter(m)),
        abandon: () => target.abandon(),
      })
    : undefined;
  return { kind: 'pass', request: withMeta(request, identity, options.forwardIdentity), wrap };
}
