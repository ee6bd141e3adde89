// The operator's MCP probe: what protocol eras a server offers, and who it says it is.
//   1. server/discover as a 2026-07-28 client (sessionless POST with the revision's headers and _meta).
//      A result: the server lists its supportedVersions. A recognized modern error: a modern server
//      (UnsupportedProtocolVersion lists the versions; others are failures).
//   2. Anything else but 401/403 (400/404/405, a non-modern JSON-RPC error, no JSON-RPC at all): the
//      spec's fallback, a 2025-era initialize (latest legacy version), then notifications/initialized and
//      DELETE of the session, so the server does not keep a process for it.
// JSON-RPC is parsed with the SDK's schemas (rule 7). Never throws for what a server answers: every
// outcome is a ProbeResult; only the caller's abort ends it early.
import {
  DiscoverResultSchema,
  InitializeResultSchema,
  JSONRPCErrorResponseSchema,
  JSONRPCResultResponseSchema,
} from '@modelcontextprotocol/core';
import { exchange, NoAnswerError, postJsonRpc, type HttpAnswer } from './http-exchange.js';
import type { ProbeResult } from './probe-result.js';

export const MODERN_VERSION = '2026-07-28';
export const LEGACY_VERSION = '2025-11-25';
/** JSON-RPC error codes the 2026-07-28 revision defines (a server that sends them is modern). */
export const HEADER_MISMATCH = -32020;
export const MISSING_REQUIRED_CLIENT_CAPABILITY = -32021;
export const UNSUPPORTED_PROTOCOL_VERSION = -32022;
const MODERN_ERRORS = new Set([HEADER_MISMATCH, MISSING_REQUIRED_CLIENT_CAPABILITY, UNSUPPORTED_PROTOCOL_VERSION]);

export interface ClientInfo {
  name: string;
  version: string;
}

export interface ProbeOptions {
  clientInfo: ClientInfo;
  /** Bearer token (the bridge's --auth-token-file), if the server wants one. */
  token?: string;
  /** Ends the whole probe (the caller's timeout, or shutdown). */
  signal: AbortSignal;
  /** Told about a failed session cleanup (the probe's result stands). */
  warn?: (message: string) => void;
}

/** What the discover step concluded: a result, or fall back to initialize (with why, for messages). */
export type DiscoverOutcome = { done: ProbeResult } | { fallback: string };

const describe = (a: HttpAnswer): string => {
  const type = a.headers['content-type'] ?? 'no content type';
  return `HTTP ${String(a.status)} (${type})${a.snippet === '' ? '' : `: ${a.snippet}`}`;
};

function jsonRpcError(a: HttpAnswer): { code: number; message: string; data?: unknown } | undefined {
  const parsed = JSONRPCErrorResponseSchema.safeParse(a.response);
  return parsed.success ? parsed.data.error : undefined;
}

function authFailure(a: HttpAnswer, step: string): ProbeResult | undefined {
  if (a.status !== 401 && a.status !== 403) return undefined;
  const err = jsonRpcError(a);
  return { ok: false, reason: 'ProbeFailed', message: `${step}: HTTP ${String(a.status)}${err === undefined ? '' : `: ${err.message}`}` };
}

/** Interprets the answer to server/discover. Pure. */
export function interpretDiscover(a: HttpAnswer): DiscoverOutcome {
  const auth = authFailure(a, 'server/discover');
  if (auth !== undefined) return { done: auth };
  const ok = JSONRPCResultResponseSchema.safeParse(a.response);
  if (ok.success) {
    const result = DiscoverResultSchema.safeParse(ok.data.result);
    if (!result.success) return { fallback: `server/discover result does not match the schema (${describe(a)})` };
    const info = result.data._meta?.['io.modelcontextprotocol/serverInfo'];
    return {
      done: {
        ok: true,
        method: 'discover',
        ...(info === undefined ? {} : { name: info.name, version: info.version }),
        protocolVersions: result.data.supportedVersions,
      },
    };
  }
  const err = jsonRpcError(a);
  if (err !== undefined && MODERN_ERRORS.has(err.code)) {
    const data = err.data as { supported?: unknown } | undefined;
    const supported = Array.isArray(data?.supported) ? data.supported.filter((v): v is string => typeof v === 'string') : [];
    if (err.code === UNSUPPORTED_PROTOCOL_VERSION && supported.length > 0) {
      return { done: { ok: true, method: 'discover', protocolVersions: supported } };
    }
    return { done: { ok: false, reason: 'ProbeFailed', message: `server/discover: ${String(err.code)} ${err.message}` } };
  }
  return { fallback: err === undefined ? describe(a) : `HTTP ${String(a.status)}: ${String(err.code)} ${err.message}` };
}

/** Interprets the answer to initialize. Pure. */
export function interpretInitialize(a: HttpAnswer, discoverAnswer: string): ProbeResult {
  const auth = authFailure(a, 'initialize');
  if (auth !== undefined) return auth;
  const ok = JSONRPCResultResponseSchema.safeParse(a.response);
  if (ok.success) {
    const result = InitializeResultSchema.safeParse(ok.data.result);
    if (!result.success) return { ok: false, reason: 'ProbeFailed', message: `initialize result does not match the schema (${describe(a)})` };
    const { serverInfo, protocolVersion } = result.data;
    return { ok: true, method: 'initialize', name: serverInfo.name, version: serverInfo.version, protocolVersions: [protocolVersion] };
  }
  const err = jsonRpcError(a);
  if (err !== undefined) return { ok: false, reason: 'ProbeFailed', message: `initialize: HTTP ${String(a.status)}: ${String(err.code)} ${err.message}` };
  return { ok: false, reason: 'NotAnMcpServer', message: `no JSON-RPC answer to server/discover (${discoverAnswer}) nor to initialize (${describe(a)})` };
}

function unreachable(err: unknown, step: string): ProbeResult {
  const message = err instanceof Error ? err.message : String(err);
  return { ok: false, reason: 'Unreachable', message: `${step}: ${message}` };
}

export async function probeServer(url: string, opts: ProbeOptions): Promise<ProbeResult> {
  const auth: Record<string, string> = opts.token === undefined ? {} : { authorization: `Bearer ${opts.token}` };
  const discover = {
    jsonrpc: '2.0',
    id: 1,
    method: 'server/discover',
    params: {
      _meta: {
        'io.modelcontextprotocol/protocolVersion': MODERN_VERSION,
        'io.modelcontextprotocol/clientCapabilities': {},
        'io.modelcontextprotocol/clientInfo': opts.clientInfo,
      },
    },
  };
  let answer: HttpAnswer;
  try {
    answer = await postJsonRpc(url, discover, { ...auth, 'mcp-protocol-version': MODERN_VERSION, 'mcp-method': 'server/discover' }, opts.signal);
  } catch (err) {
    if (err instanceof NoAnswerError) return unreachable(err, 'server/discover');
    throw err;
  }
  const outcome = interpretDiscover(answer);
  if ('done' in outcome) return outcome.done;

  const initialize = {
    jsonrpc: '2.0',
    id: 2,
    method: 'initialize',
    params: { protocolVersion: LEGACY_VERSION, capabilities: {}, clientInfo: opts.clientInfo },
  };
  try {
    answer = await postJsonRpc(url, initialize, auth, opts.signal);
  } catch (err) {
    if (err instanceof NoAnswerError) return unreachable(err, 'initialize');
    throw err;
  }
  const result = interpretInitialize(answer, outcome.fallback);
  const session = answer.headers['mcp-session-id'];
  if (result.ok) await endSession(url, typeof session === 'string' ? session : undefined, result.protocolVersions[0] ?? LEGACY_VERSION, auth, opts);
  return result;
}

/** notifications/initialized (a well-behaved client), then DELETE so the server frees the session. */
async function endSession(url: string, session: string | undefined, version: string, auth: Record<string, string>, opts: ProbeOptions): Promise<void> {
  const headers = { ...auth, 'mcp-protocol-version': version, ...(session === undefined ? {} : { 'mcp-session-id': session }) };
  try {
    await exchange(url, 'POST', headers, JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }), opts.signal);
    if (session !== undefined) await exchange(url, 'DELETE', headers, undefined, opts.signal);
  } catch (err) {
    if (!(err instanceof NoAnswerError)) throw err;
    opts.warn?.(`ending the probe's session ${session ?? '(none)'}: ${err.message}`);
  }
}
