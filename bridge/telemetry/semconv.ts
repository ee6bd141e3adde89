// The OpenTelemetry MCP semantic conventions (docs/gen-ai/mcp.md, status Development) as pure
// functions of a request and its response: which method, which target, which error. Used for the
// Prometheus histograms (metrics.ts) and for the server spans (tracing.ts).
import type { JSONRPCMessage, JsonRpcParams } from '../jsonrpc.js';

/** The semconv's fallback value; also what the bridge folds unbounded values into. */
export const OTHER = '_OTHER';

/** network.transport of the bridge's client side: HTTP over TCP (stdio would be "pipe"). */
export const NETWORK_TRANSPORT = 'tcp';

/**
 * Methods a client can send: the semconv's well-known values plus what later revisions added
 * (2026-07-28's server/discover and subscriptions/listen, tasks). Anything else is `_OTHER`, so a
 * client inventing methods cannot grow the series count.
 */
const CLIENT_METHODS = new Set([
  'initialize', 'ping', 'tools/list', 'tools/call', 'prompts/list', 'prompts/get', 'resources/list', 'resources/read',
  'resources/templates/list', 'resources/subscribe', 'resources/unsubscribe', 'completion/complete', 'logging/setLevel',
  'tasks/get', 'tasks/list', 'tasks/cancel', 'tasks/result', 'server/discover', 'subscriptions/listen',
]);

export type TargetKind = 'tool' | 'prompt' | 'resource';

export interface Target {
  readonly kind: TargetKind;
  /** As the client sent it (spans); metrics fold it through KnownNames. */
  readonly name: string;
}

/** Longest target kept on a span (a client can send anything). */
const MAX_TARGET = 256;

export function methodName(method: string): string {
  return CLIENT_METHODS.has(method) ? method : OTHER;
}

/** What a request names: the tool (tools/call), the prompt (prompts/get) or the resource URI. */
export function targetOf(method: string, params: JsonRpcParams | undefined): Target | undefined {
  const pick = (kind: TargetKind, value: unknown): Target | undefined =>
    typeof value === 'string' && value !== '' ? { kind, name: value.length > MAX_TARGET ? value.slice(0, MAX_TARGET) : value } : undefined;
  switch (method) {
    case 'tools/call':
      return pick('tool', params?.name);
    case 'prompts/get':
      return pick('prompt', params?.name);
    case 'resources/read':
    case 'resources/subscribe':
    case 'resources/unsubscribe':
      return pick('resource', params?.uri);
    default:
      return undefined;
  }
}

/**
 * Span name `{mcp.method.name} {target}` where target is a tool or prompt name; a resource URI is
 * not put in the name by default (semconv: high cardinality).
 */
export function spanName(method: string, target: Target | undefined): string {
  const name = methodName(method);
  return target !== undefined && target.kind !== 'resource' ? `${name} ${target.name}` : name;
}

export interface Outcome {
  /** error.type: the JSON-RPC error code as a string, `tool_error` for an isError tool result; undefined when it succeeded. */
  readonly errorType: string | undefined;
  /** rpc.status_code (stable since semconv 1.45; the MCP page still says rpc.response.status_code): the JSON-RPC error code, when there is one. */
  readonly statusCode: string | undefined;
  /** Span status description: the JSON-RPC error's message. */
  readonly message: string | undefined;
}

const OK: Outcome = { errorType: undefined, statusCode: undefined, message: undefined };

export function outcomeOf(response: JSONRPCMessage): Outcome {
  if ('error' in response) {
    const error = response.error as { code?: unknown; message?: unknown };
    const code = typeof error.code === 'number' && Number.isInteger(error.code) ? String(error.code) : OTHER;
    return { errorType: code, statusCode: code, message: typeof error.message === 'string' ? error.message : undefined };
  }
  const result = (response as { result?: { isError?: unknown } }).result;
  if (result?.isError === true) return { errorType: 'tool_error', statusCode: undefined, message: undefined };
  return OK;
}

/** The request never got a response: the client cancelled it (or its stream closed). */
export const CANCELLED: Outcome = { errorType: 'cancelled', statusCode: undefined, message: 'cancelled by the client' };

/** Names a list result announces (tools/list, prompts/list, resources/list), for KnownNames. */
export function listedNames(method: string, response: JSONRPCMessage): { kind: TargetKind; names: string[] } | undefined {
  const kind: TargetKind | undefined = method === 'tools/list' ? 'tool' : method === 'prompts/list' ? 'prompt' : method === 'resources/list' ? 'resource' : undefined;
  if (kind === undefined || !('result' in response)) return undefined;
  const result = response.result as Record<string, unknown> | undefined;
  const list = result?.[kind === 'tool' ? 'tools' : kind === 'prompt' ? 'prompts' : 'resources'];
  if (!Array.isArray(list)) return undefined;
  const key = kind === 'resource' ? 'uri' : 'name';
  const names = list.map((item) => (typeof item === 'object' && item !== null ? (item as Record<string, unknown>)[key] : undefined)).filter((n): n is string => typeof n === 'string');
  return { kind, names };
}

/** Protocol versions become labels only when the bridge knows them (a client can claim any string). */
export function protocolVersionLabel(version: string | undefined, known: readonly string[]): string {
  if (version === undefined) return '';
  return known.includes(version) ? version : OTHER;
}

/**
 * Attribute names (semconv registry). Written out rather than imported, so the request path never
 * loads @opentelemetry/semantic-conventions/incubating (~0.8 MB); semconv.test.ts checks them
 * against that package's constants, and the Prometheus label names against these.
 */
export const ATTR = {
  methodName: 'mcp.method.name',
  sessionId: 'mcp.session.id',
  protocolVersion: 'mcp.protocol.version',
  resourceUri: 'mcp.resource.uri',
  toolName: 'gen_ai.tool.name',
  promptName: 'gen_ai.prompt.name',
  operationName: 'gen_ai.operation.name',
  requestId: 'jsonrpc.request.id',
  networkTransport: 'network.transport',
  networkProtocolName: 'network.protocol.name',
  errorType: 'error.type',
} as const;
