#!/usr/bin/env node
// Reference HTTP server for the 0.2.x conformance runs: the SDK v2 (@modelcontextprotocol/server 2.4)
// serving test/fixtures/modern-server.mjs's factory over its own HTTP entry. It is what the SDK itself
// passes, so bridge failures can be told apart from fixture gaps (reference-http.mjs is the same for v1).
//
//   node test/conformance/reference-v2.mjs [--port 0] [--host 127.0.0.1]
//
// One /mcp, both eras, routed with the SDK's own classifier (isLegacyRequest):
//   - 2026-07-28 requests (the `_meta` envelope claim, or a modern MCP-Protocol-Version header) go to
//     createMcpHandler(factory, { legacy: 'reject' }): a fresh instance per request, the SDK's header/envelope
//     validation, MRTR, subscriptions/listen (list changes published on the handler's notify bus).
//   - 2025-era requests go to a sessionful WebStandardStreamableHTTPServerTransport per session (the SDK's
//     documented pattern for keeping 2025 clients next to a strict modern endpoint; the stateless fallback
//     cannot carry server-to-client requests such as tools-call-sampling). Unknown session -> 404 (-32001);
//     a non-initialize POST without a session -> 400; GET/DELETE without a session -> 405 (nothing to stream or end).
// Host/Origin outside localhost -> 403 (the SDK's hostHeaderValidationResponse / originValidationResponse).
// Prints {"level":30,"msg":"listening","url":"http://HOST:PORT/mcp"} on stdout (bridge.sh reads it). Stops on SIGTERM/SIGINT.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import {
  WebStandardStreamableHTTPServerTransport,
  createMcpHandler,
  hostHeaderValidationResponse,
  isInitializeRequest,
  isLegacyRequest,
  localhostAllowedHostnames,
  localhostAllowedOrigins,
  originValidationResponse,
} from '@modelcontextprotocol/server';
import { createModernServer } from '../fixtures/modern-server.mjs';
/** @import { IncomingMessage, ServerResponse } from 'node:http' */
/** @import { AddressInfo } from 'node:net' */

const MAX_BODY = 4 * 1024 * 1024;

/** @param {string[]} argv */
function parseArgs(argv) {
  const opts = { port: 0, host: '127.0.0.1' };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--port') opts.port = Number(argv[++i]);
    else if (argv[i] === '--host') {
      const host = argv[++i];
      if (host === undefined) throw new Error('reference-v2: --host needs a value');
      opts.host = host;
    } else throw new Error(`reference-v2: unknown argument ${argv[i]}`);
  }
  return opts;
}

/**
 * @param {number} status
 * @param {number} code
 * @param {string} message
 */
const jsonRpcError = (status, code, message) =>
  new Response(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }), { status, headers: { 'content-type': 'application/json' } });

/**
 * Reads a node request body (bounded) and builds the web Request the SDK entries take.
 * @param {IncomingMessage} req
 * @returns {Promise<Buffer<ArrayBuffer>>} rejects with an Error carrying the HTTP status when the body is too large
 */
function readBody(req) {
  return new Promise((resolve, reject) => {
    /** @type {Buffer[]} */
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(Object.assign(new Error('body too large'), { status: 413 }));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * @param {IncomingMessage} req
 * @param {AbortSignal} signal
 */
async function toWebRequest(req, signal) {
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD' && req.method !== 'DELETE';
  const body = hasBody ? await readBody(req) : undefined;
  return new Request(`http://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`, { method: req.method, headers, body, signal });
}

/**
 * Streams a web Response to the node response (SSE chunks are written as they come).
 * @param {ServerResponse} res
 * @param {Response} response
 */
async function sendWebResponse(res, response) {
  /** @type {Record<string, string>} */
  const headers = {};
  response.headers.forEach((value, name) => {
    headers[name] = value;
  });
  res.writeHead(response.status, headers);
  if (response.body === null) {
    res.end();
    return;
  }
  const reader = response.body.getReader();
  res.on('close', () => void reader.cancel().catch(() => undefined));
  for (;;) {
    const { value, done } = await reader.read().catch(() => ({ value: undefined, done: true }));
    if (done) break;
    res.write(value);
  }
  res.end();
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const listChanged = (/** @type {'tools' | 'prompts'} */ kind) => (kind === 'tools' ? modern.notify.toolsChanged() : modern.notify.promptsChanged());
  const modern = createMcpHandler(({ era }) => createModernServer({ era, listChanged }), {
    legacy: 'reject',
    onerror: (err) => process.stderr.write(`reference-v2 (modern): ${err.message}\n`),
  });
  /** @type {Map<string, WebStandardStreamableHTTPServerTransport>} */
  const sessions = new Map();

  /** @param {Request} request a 2025-era request */
  async function legacy(request) {
    const sessionId = request.headers.get('mcp-session-id');
    const existing = sessionId === null ? undefined : sessions.get(sessionId);
    if (existing !== undefined) return existing.handleRequest(request);
    if (sessionId !== null) return jsonRpcError(404, -32001, 'Session not found');
    if (request.method !== 'POST') return jsonRpcError(405, -32000, 'Method Not Allowed: no session');
    const body = await request.clone().json().catch(() => undefined);
    if (!isInitializeRequest(body)) return jsonRpcError(400, -32000, 'Bad Request: no valid session ID');
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        sessions.set(id, transport);
      },
      onsessionclosed: (id) => {
        sessions.delete(id);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
    };
    await createModernServer({ era: 'legacy' }).connect(transport);
    return transport.handleRequest(request);
  }

  /**
   * @param {IncomingMessage} req
   * @param {ServerResponse} res
   */
  async function handle(req, res) {
    if (new URL(req.url ?? '/', 'http://localhost').pathname !== '/mcp') return sendWebResponse(res, jsonRpcError(404, -32000, 'Not found'));
    const abort = new AbortController();
    res.on('close', () => abort.abort());
    let request;
    try {
      request = await toWebRequest(req, abort.signal);
    } catch (e) {
      const err = /** @type {Error & { status?: number }} */ (e);
      return sendWebResponse(res, jsonRpcError(err.status ?? 400, -32000, err.message));
    }
    const rejected =
      hostHeaderValidationResponse(request, localhostAllowedHostnames()) ?? originValidationResponse(request, localhostAllowedOrigins());
    if (rejected !== undefined) return sendWebResponse(res, rejected);
    const response = (await isLegacyRequest(request)) ? await legacy(request) : await modern.fetch(request);
    return sendWebResponse(res, response);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      process.stderr.write(`reference-v2: ${err instanceof Error ? err.stack : String(err)}\n`);
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message: 'Internal error' }, id: null }));
      else res.end();
    });
  });
  await new Promise((resolve) => server.listen(opts.port, opts.host, () => resolve(undefined)));
  const { port } = /** @type {AddressInfo} */ (server.address());
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  process.stdout.write(`${JSON.stringify({ level: 30, msg: 'listening', url: `http://${host}:${port}/mcp` })}\n`);

  const stop = () => {
    for (const t of sessions.values()) void t.close();
    void modern.close();
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  process.stderr.write(`reference-v2: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(70);
});
