// JSON-RPC message parsing with the SDK's own schemas, and the error objects the bridge sends.
import {
  JSONRPCErrorResponseSchema,
  JSONRPCNotificationSchema,
  JSONRPCRequestSchema,
  JSONRPCResultResponseSchema,
  SUPPORTED_PROTOCOL_VERSIONS,
  type JSONRPCMessage,
  type RequestId,
} from '@modelcontextprotocol/sdk/types.js';

export type { JSONRPCMessage, RequestId };

export { SUPPORTED_PROTOCOL_VERSIONS };

/** Error codes the bridge itself answers with. -32000..-32099 are implementation-defined in JSON-RPC. */
export const ErrorCodes = {
  parseError: -32700,
  invalidRequest: -32600,
  methodNotFound: -32601,
  internalError: -32603,
  /** Generic transport-level error (SDK: ConnectionClosed); also "bad request" on HTTP. */
  serverError: -32000,
  /** Unknown or ended session (same code the SDK's reference transport uses). */
  sessionNotFound: -32001,
  /** The MCP server process (or agent connection) went away while the request was in flight. */
  upstreamClosed: -32002,
  /** The bridge refuses new work: at capacity, or shutting down. */
  unavailable: -32003,
} as const;

export type JsonRpcParams = Record<string, unknown> & { _meta?: Record<string, unknown> };
export interface JsonRpcRequest {
  jsonrpc: '2.0';
  id: RequestId;
  method: string;
  params?: JsonRpcParams;
}
export interface JsonRpcNotification {
  jsonrpc: '2.0';
  method: string;
  params?: JsonRpcParams;
}
export interface JsonRpcResponse {
  jsonrpc: '2.0';
  id: RequestId;
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}
export interface JsonRpcErrorBody {
  jsonrpc: '2.0';
  id: RequestId | null;
  error: { code: number; message: string; data?: unknown };
}

export function isRequest(m: JSONRPCMessage): m is JSONRPCMessage & JsonRpcRequest {
  return 'method' in m && 'id' in m;
}
export function isNotification(m: JSONRPCMessage): m is JSONRPCMessage & JsonRpcNotification {
  return 'method' in m && !('id' in m);
}
export function isResponse(m: JSONRPCMessage): m is JSONRPCMessage & JsonRpcResponse {
  return !('method' in m) && ('result' in m || 'error' in m) && 'id' in m && m.id !== undefined;
}

/**
 * The SDK's JSONRPCMessageSchema is a union of four strict object schemas that exclude each other
 * (request: method + id; notification: method, no id; result response: result, no method; error
 * response: error, no method or result). So for any value at most one member can accept it, and which
 * one is decided by the keys present: validating with that member alone gives the union's verdict
 * without the union's failing attempts (each builds issue objects), on every message in both
 * directions. undefined when no member could accept the value.
 */
function memberSchemaFor(raw: unknown) {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  if ('method' in raw) return 'id' in raw ? JSONRPCRequestSchema : JSONRPCNotificationSchema;
  if ('result' in raw) return JSONRPCResultResponseSchema;
  if ('error' in raw) return JSONRPCErrorResponseSchema;
  return undefined;
}

/** A value validated as one JSON-RPC message with the SDK's schema; undefined if it is not one. */
export function validateMessage(raw: unknown): JSONRPCMessage | undefined {
  const parsed = memberSchemaFor(raw)?.safeParse(raw);
  return parsed?.success === true ? parsed.data : undefined;
}

export type ParseOutcome =
  | { ok: true; messages: JSONRPCMessage[]; batch: boolean }
  | { ok: false; code: number; message: string };

/** JSON.parse with the bridge's answer for a body that is not JSON. */
export function parseJson(text: string): { ok: true; value: unknown } | { ok: false; code: number; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, code: ErrorCodes.parseError, message: 'Parse error: body is not valid JSON' };
  }
}

/** Validates a parsed body: one message or (protocol 2025-03-26 only, checked by the caller) a batch array. */
export function validateMessages(raw: unknown): ParseOutcome {
  const batch = Array.isArray(raw);
  const items: unknown[] = batch ? (raw as unknown[]) : [raw];
  if (items.length === 0) return { ok: false, code: ErrorCodes.invalidRequest, message: 'Invalid Request: empty batch' };
  if (items.length > 100) return { ok: false, code: ErrorCodes.invalidRequest, message: 'Invalid Request: batch of more than 100 messages' };
  const messages: JSONRPCMessage[] = [];
  for (const item of items) {
    const message = validateMessage(item);
    if (message === undefined) {
      return { ok: false, code: ErrorCodes.invalidRequest, message: 'Invalid Request: not a JSON-RPC 2.0 message' };
    }
    messages.push(message);
  }
  return { ok: true, messages, batch };
}

/** Parses an HTTP body: one message or (protocol 2025-03-26 only, checked by the caller) a batch array. */
export function parseBody(text: string): ParseOutcome {
  const json = parseJson(text);
  return json.ok ? validateMessages(json.value) : json;
}

/** Parses one line of a server's stdout; undefined when it is not a JSON-RPC message (noise). */
export function parseLine(line: string): JSONRPCMessage | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return undefined;
  }
  return validateMessage(raw);
}

export function errorBody(id: RequestId | null, code: number, message: string): JsonRpcErrorBody {
  return { jsonrpc: '2.0', id, error: { code, message } };
}

export function errorResponse(id: RequestId, code: number, message: string): JSONRPCMessage {
  return { jsonrpc: '2.0', id, error: { code, message } };
}

/**
 * MCP-Protocol-Version header check. Absent is fine (the spec says assume 2025-03-26). Identical
 * duplicates ("2025-06-18, 2025-06-18", sent by some LiteLLM versions) are tolerated.
 */
export function checkProtocolVersionHeader(value: string | string[] | undefined): { ok: true; version?: string } | { ok: false; message: string } {
  if (value === undefined) return { ok: true };
  // The usual case, a single supported version, without splitting (this runs on every request).
  if (typeof value === 'string' && SUPPORTED_PROTOCOL_VERSIONS.includes(value)) return { ok: true, version: value };
  const parts = (Array.isArray(value) ? value.join(',') : value).split(',').map((s) => s.trim()).filter(Boolean);
  const distinct = [...new Set(parts)];
  const version = distinct[0];
  if (distinct.length === 1 && version !== undefined && SUPPORTED_PROTOCOL_VERSIONS.includes(version)) return { ok: true, version };
  return {
    ok: false,
    message: `Bad Request: unsupported MCP-Protocol-Version "${parts.join(', ')}" (supported: ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')})`,
  };
}
