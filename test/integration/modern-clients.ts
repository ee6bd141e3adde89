// Clients of protocol 2026-07-28 ("modern") for the bridge's integration tests: the official SDK v2
// client pinned to that revision, the official Python SDK 2.x client (test/python/modern_client.py),
// and raw HTTP for exact wire checks. Shared by test/integration/modern-*.test.ts.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client, StreamableHTTPClientTransport, type ClientCapabilities } from '@modelcontextprotocol/client';
import { ROOT } from './bridge-harness.js';

export const MODERN = '2026-07-28';
export const PROTOCOL_VERSION_KEY = 'io.modelcontextprotocol/protocolVersion';
export const CLIENT_CAPABILITIES_KEY = 'io.modelcontextprotocol/clientCapabilities';
export const CLIENT_INFO_KEY = 'io.modelcontextprotocol/clientInfo';
export const LOG_LEVEL_KEY = 'io.modelcontextprotocol/logLevel';
export const SUBSCRIPTION_ID_KEY = 'io.modelcontextprotocol/subscriptionId';
export const SERVER_INFO_KEY = 'io.modelcontextprotocol/serverInfo';

/** The per-request `_meta` envelope of 2026-07-28. */
export function envelope(capabilities: ClientCapabilities = {}, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    [PROTOCOL_VERSION_KEY]: MODERN,
    [CLIENT_INFO_KEY]: { name: 'raw-modern', version: '1.0.0' },
    [CLIENT_CAPABILITIES_KEY]: capabilities,
    ...extra,
  };
}

/** One HTTP exchange as the SDK v2 client made it (for checks of what it sends). */
export interface WireRecord {
  method: string;
  headers: Record<string, string>;
  body: unknown;
  status: number;
}

export interface ModernClientOptions {
  capabilities?: ClientCapabilities;
  name?: string;
  /** Every HTTP exchange the client makes is appended here. */
  record?: WireRecord[];
}

/** The SDK v2 client, pinned to 2026-07-28 (connect() probes server/discover and fails unless it is offered). */
export async function modernClient(url: string, options: ModernClientOptions = {}): Promise<Client> {
  const client = new Client(
    { name: options.name ?? 'modern-test', version: '1.0.0' },
    { capabilities: options.capabilities ?? {}, versionNegotiation: { mode: { pin: MODERN } } },
  );
  const record = options.record;
  const fetchRecorded = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const response = await fetch(input, init);
    if (record !== undefined) {
      const headers: Record<string, string> = {};
      new Headers(init?.headers).forEach((value, name) => {
        headers[name] = value;
      });
      const body: unknown = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
      record.push({ method: init?.method ?? 'GET', headers, body, status: response.status });
    }
    return response;
  };
  await client.connect(new StreamableHTTPClientTransport(new URL(url), { fetch: fetchRecorded }));
  return client;
}

export function textOfResult(result: unknown): string {
  const content = ((result as { content?: unknown }).content ?? []) as { type: string; text?: string }[];
  return content.map((c) => c.text ?? '').join('');
}

// ---- raw HTTP ----

export type JsonRpc = Record<string, unknown> & { id?: unknown; method?: string; params?: Record<string, unknown>; result?: Record<string, unknown>; error?: { code: number; message: string; data?: unknown } };

export interface ModernReply {
  status: number;
  headers: Headers;
  /** The JSON body, or the JSON-RPC response among the SSE events. */
  body: JsonRpc | undefined;
  /** Every SSE event (notifications and the response), in order; empty for a JSON answer. */
  events: JsonRpc[];
}

export interface PostOptions {
  /** Headers to set or replace (case-insensitive). */
  headers?: Record<string, string>;
  /** Headers to leave out of the defaults. */
  omit?: string[];
  signal?: AbortSignal;
}

/** The default headers a correct 2026-07-28 client sends for this message. */
export function modernHeaders(message: JsonRpc): Record<string, string> {
  const params = message.params ?? {};
  const meta = (params._meta ?? {}) as Record<string, unknown>;
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': typeof meta[PROTOCOL_VERSION_KEY] === 'string' ? (meta[PROTOCOL_VERSION_KEY]) : MODERN,
  };
  if (typeof message.method === 'string' && message.id !== undefined) headers['mcp-method'] = message.method;
  const name = message.method === 'resources/read' ? params.uri : message.method === 'tools/call' || message.method === 'prompts/get' ? params.name : undefined;
  if (typeof name === 'string') headers['mcp-name'] = headerValue(name);
  return headers;
}

/** RFC 9110-safe header values as they are; anything else in the spec's `=?base64?…?=` form. */
export function headerValue(value: string): string {
  const safe = /^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/.test(value) && !(value.startsWith('=?base64?') && value.endsWith('?='));
  return safe ? value : `=?base64?${Buffer.from(value, 'utf8').toString('base64')}?=`;
}

function sseEvents(text: string): JsonRpc[] {
  const events: JsonRpc[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    const data = block
      .split(/\r?\n/)
      .filter((line) => line.startsWith('data:'))
      .map((line) => line.slice(5).trimStart())
      .join('\n');
    if (data !== '') events.push(JSON.parse(data) as JsonRpc);
  }
  return events;
}

/** POSTs one message with the modern headers (adjusted by `options`) and reads the whole answer. */
export async function modernPost(url: string, message: JsonRpc, options: PostOptions = {}): Promise<ModernReply> {
  const headers = new Headers(modernHeaders(message));
  for (const name of options.omit ?? []) headers.delete(name);
  for (const [name, value] of Object.entries(options.headers ?? {})) headers.set(name, value);
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(message), ...(options.signal ? { signal: options.signal } : {}) });
  const text = await res.text();
  if ((res.headers.get('content-type') ?? '').includes('text/event-stream')) {
    const events = sseEvents(text);
    return { status: res.status, headers: res.headers, body: events.find((e) => e.method === undefined), events };
  }
  return { status: res.status, headers: res.headers, body: text === '' ? undefined : (JSON.parse(text) as JsonRpc), events: [] };
}

/** A request whose response stays open (an SSE stream): events arrive as they come; close() ends it. */
export interface OpenStream {
  status: number;
  headers: Headers;
  events: JsonRpc[];
  /** Resolves with the first event (already received or still to come) matching `predicate`. */
  next(what: string, predicate: (event: JsonRpc) => boolean, timeoutMs?: number): Promise<JsonRpc>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  /** Closes the stream from the client side (the 2026-07-28 cancellation signal). */
  close(): void;
}

export async function openStream(url: string, message: JsonRpc, options: PostOptions = {}): Promise<OpenStream> {
  const abort = new AbortController();
  const headers = new Headers(modernHeaders(message));
  for (const name of options.omit ?? []) headers.delete(name);
  for (const [name, value] of Object.entries(options.headers ?? {})) headers.set(name, value);
  const res = await fetch(url, { method: 'POST', headers, body: JSON.stringify(message), signal: abort.signal });
  const events: JsonRpc[] = [];
  const waiters: { predicate: (e: JsonRpc) => boolean; resolve: (e: JsonRpc) => void }[] = [];
  const deliver = (event: JsonRpc): void => {
    events.push(event);
    for (const w of waiters.splice(0)) {
      if (w.predicate(event)) w.resolve(event);
      else waiters.push(w);
    }
  };
  const isSse = (res.headers.get('content-type') ?? '').includes('text/event-stream');
  const ended = (async () => {
    if (!isSse) {
      // A JSON answer (e.g. a refusal): it is the only event.
      const text = await res.text();
      if (text !== '') deliver(JSON.parse(text) as JsonRpc);
      return;
    }
    if (res.body === null) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body) {
        buffer += decoder.decode(chunk, { stream: true });
        let cut: number;
        while ((cut = buffer.search(/\r?\n\r?\n/)) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut).replace(/^\r?\n\r?\n/, '');
          for (const event of sseEvents(block)) deliver(event);
        }
      }
    } catch {
      // aborted by close(): the stream is over
    }
  })();
  if (!isSse) await ended;
  return {
    status: res.status,
    headers: res.headers,
    events,
    ended,
    close: () => abort.abort(),
    next: (what, predicate, timeoutMs = 10_000) => {
      const already = events.find(predicate);
      if (already !== undefined) return Promise.resolve(already);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${JSON.stringify(events)}`)), timeoutMs);
        waiters.push({
          predicate,
          resolve: (e) => {
            clearTimeout(timer);
            resolve(e);
          },
        });
      });
    },
  };
}

// ---- the Python SDK 2.x client ----

export interface PythonOp {
  op: 'list_tools' | 'call_tool' | 'list_resources' | 'read_resource' | 'list_prompts' | 'get_prompt' | 'listen_tools';
  [key: string]: unknown;
}

export interface PythonRun {
  protocol_version: string;
  server: string | null;
  results: Record<string, unknown>[];
  sampling: string[];
  elicitation: string[];
}

const run = promisify(execFile);
const PYTHON = join(ROOT, '.venv/bin/python');

/** Runs test/python/modern_client.py: `mcp.Client(url)` in its default mode, the ops in order. */
export async function pythonClient(url: string, ops: PythonOp[], mode?: string): Promise<PythonRun> {
  if (!existsSync(PYTHON)) throw new Error('.venv is missing: run hack/setup.sh (it installs the Python MCP client)');
  const plan = JSON.stringify({ ops, ...(mode !== undefined ? { mode } : {}) });
  const { stdout } = await run(PYTHON, [join(ROOT, 'test/python/modern_client.py'), url, plan], { timeout: 60_000 });
  return JSON.parse(stdout) as PythonRun;
}
