#!/usr/bin/env node
// Reference HTTP server for the conformance harness: serves the fixture's tools in-process over the
// SDK's own StreamableHTTPServerTransport, one McpServer + transport per session (what the bridge's
// perSession mode does with a child per session). Running the suite against it shows what the
// fixture + the SDK transport can pass, so bridge failures can be told apart from fixture gaps.
//
//   node test/conformance/reference-http.mjs [--port 0] [--host 127.0.0.1]
//
// Prints one JSON line on stdout like the bridge's pino log: {"level":30,"msg":"listening","url":"http://HOST:PORT/mcp"}.
// Host/Origin validation: requests whose Host or Origin is not localhost/127.0.0.1/[::1] get 403
// (DNS-rebinding protection, as the spec asks of local servers). Unknown session -> 404; a non-initialize
// request without a session -> 400. Body limit 4 MiB. Stops on SIGTERM/SIGINT.
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { InMemoryEventStore } from '@modelcontextprotocol/sdk/examples/shared/inMemoryEventStore.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { createFixtureServer } from '../fixtures/fixture-server.mjs';
/** @import { IncomingMessage, ServerResponse } from 'node:http' */
/** @import { AddressInfo } from 'node:net' */
/** @typedef {Error & { status?: number, code?: number }} BodyError a refused body: the HTTP status and JSON-RPC code to answer */

const MAX_BODY = 4 * 1024 * 1024;
const LOCAL_HOSTNAMES = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** @param {string[]} argv */
function parseArgs(argv) {
  const opts = { port: 0, host: '127.0.0.1' };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--port') opts.port = Number(argv[++i]);
    else if (argv[i] === '--host') {
      const host = argv[++i];
      if (host === undefined) throw new Error('reference-http: --host needs a value');
      opts.host = host;
    }
    else throw new Error(`reference-http: unknown argument ${argv[i]}`);
  }
  return opts;
}

/** @param {string} value a Host or Origin header */
function hostnameOf(value) {
  try {
    return new URL(value.includes('://') ? value : `http://${value}`).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/** @param {IncomingMessage} req */
function isLocalRequest(req) {
  const host = req.headers.host;
  if (host === undefined || !LOCAL_HOSTNAMES.has(hostnameOf(host) ?? '')) return false;
  const origin = req.headers.origin;
  return origin === undefined || LOCAL_HOSTNAMES.has(hostnameOf(origin) ?? '');
}

/**
 * @param {ServerResponse} res
 * @param {number} status
 * @param {number} code
 * @param {string} message
 */
function sendJsonRpcError(res, status, code, message) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ jsonrpc: '2.0', error: { code, message }, id: null }));
}

/**
 * @param {IncomingMessage} req
 * @returns {Promise<unknown>} the parsed body; rejects with a BodyError
 */
function readJsonBody(req) {
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
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(Object.assign(new Error('Parse error'), { status: 400, code: -32700 }));
      }
    });
    req.on('error', reject);
  });
}

const isInitialize = (/** @type {unknown} */ body) => (Array.isArray(body) ? body.some(isInitializeRequest) : isInitializeRequest(body));

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  /** @type {Map<string, StreamableHTTPServerTransport>} */
  const sessions = new Map();

  /**
   * @param {IncomingMessage} req
   * @param {ServerResponse} res
   */
  async function handle(req, res) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== '/mcp') return sendJsonRpcError(res, 404, -32000, 'Not found');
    if (!isLocalRequest(req)) return sendJsonRpcError(res, 403, -32000, 'Forbidden: Host/Origin not allowed');
    const sessionId = req.headers['mcp-session-id'];
    const existing = typeof sessionId === 'string' ? sessions.get(sessionId) : undefined;

    if (req.method === 'POST') {
      let body;
      try {
        body = await readJsonBody(req);
      } catch (e) {
        const err = /** @type {BodyError} */ (e);
        return sendJsonRpcError(res, err.status ?? 400, err.code ?? -32000, err.message);
      }
      if (existing) return existing.handleRequest(req, res, body);
      if (sessionId !== undefined) return sendJsonRpcError(res, 404, -32001, 'Session not found');
      if (!isInitialize(body)) return sendJsonRpcError(res, 400, -32000, 'Bad Request: no valid session ID');
      /** @type {StreamableHTTPServerTransport} */
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        eventStore: new InMemoryEventStore(),
        onsessioninitialized: (id) => {
          sessions.set(id, transport);
        },
      });
      transport.onclose = () => {
        if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
      };
      await createFixtureServer().connect(transport);
      return transport.handleRequest(req, res, body);
    }
    if (req.method === 'GET' || req.method === 'DELETE') {
      if (existing) return existing.handleRequest(req, res);
      if (sessionId !== undefined) return sendJsonRpcError(res, 404, -32001, 'Session not found');
      return sendJsonRpcError(res, 400, -32000, 'Bad Request: no valid session ID');
    }
    res.writeHead(405, { allow: 'GET, POST, DELETE' }).end();
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err) => {
      process.stderr.write(`reference-http: ${err instanceof Error ? err.stack : String(err)}\n`);
      if (!res.headersSent) sendJsonRpcError(res, 500, -32603, 'Internal error');
      else res.end();
    });
  });
  await new Promise((resolve) => server.listen(opts.port, opts.host, () => resolve(undefined)));
  const { port } = /** @type {AddressInfo} */ (server.address());
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  process.stdout.write(`${JSON.stringify({ level: 30, msg: 'listening', url: `http://${host}:${port}/mcp` })}\n`);

  const stop = () => {
    for (const t of sessions.values()) void t.close();
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  process.stderr.write(`reference-http: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(70);
});
