// MCP 2026-07-28 ("modern") requests at the HTTP edge: which era a POST belongs to, the revision's
// validation ladder (SEP-2243 standard headers, the per-request `_meta` envelope), and what of the
// envelope a legacy stdio server must not see. Pure functions; no I/O.
//
// The era decision is the SDK's own (`classifyInboundRequest` of @modelcontextprotocol/server, the
// code its reference `createMcpHandler` routes with), so the bridge and the reference can never
// disagree on which era a request is. The presence half of the header ladder is not exported by the
// SDK and is restated here (validateStandardHeaders), in the same order and with the same codes.
import { classifyInboundRequest } from '@modelcontextprotocol/server';
import type { JsonRpcParams, JsonRpcRequest } from '../jsonrpc.js';
import { LOG_LEVELS, type LogLevel } from '../sessions/log-levels.js';

/** The revisions served statelessly (per-request `_meta`); everything older needs initialize. */
export const MODERN_VERSIONS: readonly string[] = ['2026-07-28'];

export const META = {
  protocolVersion: 'io.modelcontextprotocol/protocolVersion',
  clientInfo: 'io.modelcontextprotocol/clientInfo',
  clientCapabilities: 'io.modelcontextprotocol/clientCapabilities',
  logLevel: 'io.modelcontextprotocol/logLevel',
  serverInfo: 'io.modelcontextprotocol/serverInfo',
  subscriptionId: 'io.modelcontextprotocol/subscriptionId',
} as const;

/** Keys of `_meta` under this prefix are the protocol's own; a legacy server never sees them. */
const RESERVED_META_PREFIX = 'io.modelcontextprotocol/';

export const ModernErrorCodes = {
  headerMismatch: -32020,
  missingClientCapability: -32021,
  unsupportedProtocolVersion: -32022,
  invalidParams: -32602,
} as const;

/** A refusal on the ladder: HTTP status and the JSON-RPC error to answer with. */
export interface Refusal {
  readonly status: number;
  readonly code: number;
  readonly message: string;
  readonly data?: unknown;
}

export type Era =
  | { kind: 'legacy' }
  | { kind: 'modern-request'; request: JsonRpcRequest; version: string | undefined }
  | { kind: 'modern-notification'; version: string | undefined }
  | { kind: 'refused'; refusal: Refusal };

export interface StandardHeaders {
  readonly protocolVersion: string | undefined;
  readonly method: string | undefined;
  readonly name: string | undefined;
}

/** The era of one parsed POST body (the SDK's body-primary rule: the envelope claim decides). */
export function classifyPost(headers: StandardHeaders, body: unknown): Era {
  const outcome = classifyInboundRequest({
    httpMethod: 'POST',
    ...(headers.protocolVersion !== undefined ? { protocolVersionHeader: headers.protocolVersion } : {}),
    ...(headers.method !== undefined ? { mcpMethodHeader: headers.method } : {}),
    ...(headers.name !== undefined ? { mcpNameHeader: headers.name } : {}),
    body,
  });
  if (outcome.kind === 'legacy') return { kind: 'legacy' };
  if (outcome.kind === 'reject') {
    return { kind: 'refused', refusal: { status: outcome.httpStatus, code: outcome.code, message: outcome.message, ...(outcome.data !== undefined ? { data: outcome.data } : {}) } };
  }
  const version = outcome.classification.revision;
  if (outcome.messageKind === 'notification') return { kind: 'modern-notification', version };
  return { kind: 'modern-request', request: outcome.message, version };
}

/** -32022 with the versions the bridge serves (modern ones first), when the claimed one is not modern. */
export function checkVersion(version: string | undefined, legacyVersions: readonly string[]): Refusal | undefined {
  if (version !== undefined && MODERN_VERSIONS.includes(version)) return undefined;
  return {
    status: 400,
    code: ModernErrorCodes.unsupportedProtocolVersion,
    message: `Unsupported protocol version: ${version ?? 'none named'} (requests without initialize need ${MODERN_VERSIONS.join(', ')}; older versions start with initialize)`,
    data: { supported: [...MODERN_VERSIONS, ...legacyVersions], ...(version !== undefined ? { requested: version } : {}) },
  };
}

/** Which body field `Mcp-Name` mirrors, per method (SEP-2243, plus the tasks extension's rows). */
const NAME_SOURCE: Readonly<Record<string, string>> = {
  'tools/call': 'name',
  'prompts/get': 'name',
  'resources/read': 'uri',
  'tasks/get': 'taskId',
  'tasks/update': 'taskId',
  'tasks/cancel': 'taskId',
};

const BASE64_SENTINEL = /^=\?base64\?([A-Za-z0-9+/]*={0,2})\?=$/;

/** A header value as the client meant it: the `=?base64?…?=` form decoded; undefined if malformed. */
export function decodeHeaderValue(value: string): string | undefined {
  if (!value.startsWith('=?base64?')) return value;
  const match = BASE64_SENTINEL.exec(value);
  if (match?.[1] === undefined || match[1].length % 4 !== 0) return undefined;
  const decoded = Buffer.from(match[1], 'base64');
  const text = decoded.toString('utf8');
  // Not valid UTF-8 (replacement characters that were not in the bytes): malformed.
  return Buffer.from(text, 'utf8').equals(decoded) ? text : undefined;
}

function mismatch(message: string, header: string, body: string): Refusal {
  return { status: 400, code: ModernErrorCodes.headerMismatch, message: `Bad Request: the request headers and body disagree: ${message}`, data: { mismatch: { header, body } } };
}

/**
 * The presence half of the standard-header rung (the classifier already refused headers that
 * contradict the body): MCP-Protocol-Version and Mcp-Method are required on every request, Mcp-Name
 * on the methods that name something, and its (decoded) value must equal the body's.
 */
export function validateStandardHeaders(headers: StandardHeaders, request: JsonRpcRequest): Refusal | undefined {
  if (headers.protocolVersion === undefined) return mismatch('the required MCP-Protocol-Version header is absent', '(missing)', 'MCP-Protocol-Version');
  if (headers.method === undefined) return mismatch(`the body names method ${request.method} but the required Mcp-Method header is absent`, '(missing)', request.method);
  const field = Object.hasOwn(NAME_SOURCE, request.method) ? NAME_SOURCE[request.method] : undefined;
  if (field === undefined) return undefined;
  const raw = request.params?.[field];
  const bodyValue = typeof raw === 'string' ? raw : undefined;
  if (headers.name === undefined) {
    return bodyValue === undefined ? undefined : mismatch(`the body carries params.${field}="${bodyValue}" but the required Mcp-Name header is absent`, '(missing)', bodyValue);
  }
  const header = headers.name.trim();
  const decoded = decodeHeaderValue(header);
  if (decoded === undefined) return mismatch('the Mcp-Name header carries an invalid Base64 sentinel value', header, bodyValue ?? '');
  if (bodyValue !== undefined && decoded !== bodyValue) return mismatch(`the body carries params.${field}="${bodyValue}" but the Mcp-Name header names "${decoded}"`, header, bodyValue);
  return undefined;
}

/** What a modern request says about its client, read from `params._meta`. */
export interface Envelope {
  readonly version: string;
  readonly capabilities: Readonly<Record<string, unknown>>;
  readonly clientInfo: { name: string; version: string } | undefined;
  /** Unset: the request gets no notifications/message at all (the revision's rule). */
  readonly logLevel: LogLevel | undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The envelope of a request the classifier accepted as modern (it validated the shape). */
export function readEnvelope(params: JsonRpcParams | undefined): Envelope {
  const meta = params?._meta ?? {};
  const capabilities = meta[META.clientCapabilities];
  const info = meta[META.clientInfo];
  const level = meta[META.logLevel];
  return {
    version: String(meta[META.protocolVersion]),
    capabilities: isObject(capabilities) ? capabilities : {},
    clientInfo: isObject(info) && typeof info.name === 'string' && typeof info.version === 'string' ? { name: info.name, version: info.version } : undefined,
    logLevel: typeof level === 'string' && (LOG_LEVELS as readonly string[]).includes(level) ? (level as LogLevel) : undefined,
  };
}

/**
 * The params a legacy server gets: no reserved `_meta` keys (it would not know them; version and
 * capabilities were settled by the bridge's initialize), no MRTR fields (the bridge consumes them);
 * everything else, e.g. `progressToken` and W3C `traceparent`/`tracestate`/`baggage`, passes through.
 */
export function stripEnvelope(params: JsonRpcParams | undefined): JsonRpcParams | undefined {
  if (params === undefined) return undefined;
  const rest: JsonRpcParams = { ...params };
  delete rest.inputResponses;
  delete rest.requestState;
  const meta = rest._meta;
  delete rest._meta;
  if (meta === undefined) return rest;
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(meta)) if (!key.startsWith(RESERVED_META_PREFIX)) kept[key] = value;
  return Object.keys(kept).length > 0 ? { ...rest, _meta: kept } : rest;
}

/** The client capability a legacy server's request needs (undefined: none, e.g. ping). */
export function capabilityFor(method: string): 'sampling' | 'elicitation' | 'roots' | undefined {
  if (method === 'sampling/createMessage') return 'sampling';
  if (method === 'elicitation/create') return 'elicitation';
  if (method === 'roots/list') return 'roots';
  return undefined;
}

/** What a request names (tool or prompt name, resource URI), if anything: MRTR state is bound to it. */
export function targetOf(params: JsonRpcParams | undefined): string | undefined {
  const value = params?.name ?? params?.uri;
  return typeof value === 'string' ? value : undefined;
}
