// W3C trace context at the bridge's two edges, as plain strings (no OpenTelemetry import: the
// request path uses this whether or not tracing is on, and it must cost nothing when off).
//
// In: a client may send its context in the HTTP headers (`traceparent`/`tracestate`, what HTTP
// instrumentation injects) and in `params._meta` (what MCP instrumentation injects; SEP-414, the
// 2026-07-28 way). The OpenTelemetry MCP conventions say the `_meta` one is the parent of the server
// span and the ambient (HTTP) one is only linked: one HTTP request can carry several MCP requests
// (batches) and one MCP request can span several HTTP requests (MRTR rounds, retries). So: `_meta`
// wins; the header is the parent only when `_meta` has none (docs/adr/0002).
// Out: the server span's own context goes to the stdio server in `params._meta.traceparent` (and
// `tracestate`), replacing what the client put there, so the server's spans are children of the
// bridge's span, which is the client's span's child.
import type { JsonRpcParams } from '../jsonrpc.js';

export interface TraceCarrier {
  readonly traceparent: string;
  readonly tracestate?: string;
}

export interface IncomingTrace {
  /** The context the server span continues. */
  readonly parent?: TraceCarrier;
  /** The HTTP request's context when it differs from the parent (recorded as a span link). */
  readonly link?: TraceCarrier;
}

export interface SpanContextParts {
  readonly traceId: string;
  readonly spanId: string;
  readonly sampled: boolean;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?$/;
/** tracestate is at most 32 list members of at most 256 characters each (W3C): 512 + 32*256 is generous. */
const MAX_TRACESTATE = 8704;

/** The parts of a valid version-00 (or later, per W3C forward compatibility) traceparent; undefined otherwise. */
export function parseTraceparent(value: unknown): SpanContextParts | undefined {
  if (typeof value !== 'string') return undefined;
  const m = TRACEPARENT.exec(value.trim());
  if (m === null) return undefined;
  const [, version = '', traceId = '', spanId = '', flags = '', rest] = m;
  if (version === 'ff' || (version === '00' && rest !== undefined)) return undefined;
  if (/^0+$/.test(traceId) || /^0+$/.test(spanId)) return undefined;
  return { traceId, spanId, sampled: (Number.parseInt(flags, 16) & 1) === 1 };
}

function carrier(traceparent: unknown, tracestate: unknown): TraceCarrier | undefined {
  if (parseTraceparent(traceparent) === undefined) return undefined;
  const state = Array.isArray(tracestate) ? tracestate.join(',') : tracestate;
  const parent = (traceparent as string).trim();
  return typeof state === 'string' && state !== '' && state.length <= MAX_TRACESTATE ? { traceparent: parent, tracestate: state } : { traceparent: parent };
}

/** Headers as node:http gives them (lower-case names). */
export type HeaderBag = Readonly<Record<string, string | string[] | undefined>>;

/** The context carried by the HTTP request itself, if any (headers are read once per POST). */
export function headerTrace(headers: HeaderBag): TraceCarrier | undefined {
  const value = headers.traceparent;
  return carrier(Array.isArray(value) ? value[0] : value, headers.tracestate);
}

/** Which context a request's server span continues, and which it links: `_meta` first (see top). */
export function incomingTrace(params: JsonRpcParams | undefined, fromHeaders: TraceCarrier | undefined): IncomingTrace {
  const meta = params?._meta;
  const fromMeta = meta === undefined ? undefined : carrier(meta.traceparent, meta.tracestate);
  if (fromMeta === undefined) return fromHeaders === undefined ? {} : { parent: fromHeaders };
  if (fromHeaders === undefined || fromHeaders.traceparent === fromMeta.traceparent) return { parent: fromMeta };
  return { parent: fromMeta, link: fromHeaders };
}

/** The request's params with the bridge's span context in `_meta` (the client's own is replaced). */
export function withTraceContext(params: JsonRpcParams | undefined, trace: TraceCarrier): JsonRpcParams {
  const meta: Record<string, unknown> = { ...(params?._meta ?? {}), traceparent: trace.traceparent };
  if (trace.tracestate !== undefined) meta.tracestate = trace.tracestate;
  else delete meta.tracestate;
  return { ...(params ?? {}), _meta: meta };
}
