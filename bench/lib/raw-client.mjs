// A minimal Streamable HTTP client on node:http with a keep-alive agent: no SDK, no fetch/undici, no
// schema validation. It costs a fraction of what the SDK client costs per call, so a bench driven by it
// shows the server side's cost (bridge or peer) instead of the client's. Answers may come as JSON or
// as an SSE stream (the spec allows both); both are handled.
import { Agent, request } from 'node:http';
/** @import { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http' */

/**
 * A JSON-RPC message as parsed from the wire (any: the bench checks the few fields it reads).
 * @typedef {any} WireMessage
 * @typedef {{ status: number | undefined, headers: IncomingHttpHeaders, message: WireMessage }} PostAnswer
 */

/** What the SDK clients of this repo's SDK version ask for (LATEST_PROTOCOL_VERSION). */
const PROTOCOL_VERSION = '2025-11-25';

/** One keep-alive agent per load generator: sessions share its pooled connections. */
export function rawAgent(maxSockets = 256) {
  return new Agent({ keepAlive: true, maxSockets });
}

/**
 * POSTs one JSON-RPC message; resolves {status, headers, message} (message undefined for 202).
 * @param {string | URL} url
 * @param {Agent} agent
 * @param {{ jsonrpc: '2.0', id?: number | string, method: string, params?: object }} body
 * @param {OutgoingHttpHeaders} headers
 * @returns {Promise<PostAnswer>}
 */
export function post(url, agent, body, headers) {
  return new Promise((resolve, reject) => {
    const data = Buffer.from(JSON.stringify(body));
    const req = request(url, {
      method: 'POST',
      agent,
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'content-length': data.length,
        ...headers,
      },
    }, (res) => {
      /** @type {Buffer[]} */
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let message;
        try {
          message = text === '' ? undefined : res.headers['content-type']?.startsWith('text/event-stream') ? lastSseMessage(text, body.id) : JSON.parse(text);
        } catch (err) {
          return reject(new Error(`HTTP ${res.statusCode}: unparseable body ${text.slice(0, 200)}: ${/** @type {Error} */ (err).message}`));
        }
        resolve({ status: res.statusCode, headers: res.headers, message });
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}

/**
 * The response with the given id among the events of an SSE body.
 * @param {string} text
 * @param {number | string | undefined} id
 * @returns {WireMessage}
 */
function lastSseMessage(text, id) {
  for (const event of text.split('\n\n')) {
    const data = event.split('\n').filter((l) => l.startsWith('data:')).map((l) => l.slice(5).trimStart()).join('\n');
    if (data === '') continue;
    const m = JSON.parse(data);
    if (m.id === id && ('result' in m || 'error' in m)) return m;
  }
  throw new Error('no response event in the SSE body');
}

export class RawSession {
  #nextId = 1;

  /**
   * @param {string | URL} url
   * @param {Agent} agent
   * @param {string} sessionId
   * @param {string} protocolVersion
   */
  constructor(url, agent, sessionId, protocolVersion) {
    this.url = url;
    this.agent = agent;
    this.headers = { 'mcp-session-id': sessionId, 'mcp-protocol-version': protocolVersion };
    this.sessionId = sessionId;
  }

  /**
   * initialize → notifications/initialized; resolves the session and how long initialize took (ms).
   * @param {string | URL} url
   * @param {Agent} agent
   */
  static async open(url, agent, capabilities = {}) {
    const t0 = performance.now();
    const init = await post(url, agent, {
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion: PROTOCOL_VERSION, capabilities, clientInfo: { name: 'mcp-bench-raw', version: '1.0.0' } },
    }, {});
    const initMs = performance.now() - t0;
    const sessionId = init.headers['mcp-session-id'];
    if (init.status !== 200 || typeof sessionId !== 'string' || init.message?.result === undefined) {
      throw new Error(`initialize: HTTP ${init.status} ${JSON.stringify(init.message).slice(0, 200)}`);
    }
    const session = new RawSession(url, agent, sessionId, init.message.result.protocolVersion);
    const ack = await post(url, agent, { jsonrpc: '2.0', method: 'notifications/initialized' }, session.headers);
    if (ack.status !== 202) throw new Error(`notifications/initialized: HTTP ${ack.status}`);
    return { session, initMs };
  }

  /**
   * @param {string} method
   * @param {object} [params]
   * @returns {Promise<WireMessage>} the result
   */
  async call(method, params) {
    const id = this.#nextId++;
    const r = await post(this.url, this.agent, { jsonrpc: '2.0', id, method, params }, this.headers);
    if (r.status !== 200 || r.message?.id !== id) throw new Error(`${method}: HTTP ${r.status} ${JSON.stringify(r.message).slice(0, 200)}`);
    if (r.message.error !== undefined) throw new Error(`${method}: ${r.message.error.message}`);
    return r.message.result;
  }

  /**
   * tools/call echo; throws unless the answer ends with the message (server-everything says "Echo: <m>").
   * @param {string} message
   */
  async echo(message) {
    const result = await this.call('tools/call', { name: 'echo', arguments: { message } });
    const text = result?.content?.[0]?.text;
    if (typeof text !== 'string' || !text.endsWith(message)) throw new Error(`wrong answer: sent ${message}, got ${JSON.stringify(text)}`);
  }

  close() {
    return /** @type {Promise<void>} */ (new Promise((resolve) => {
      const req = request(this.url, { method: 'DELETE', agent: this.agent, headers: this.headers }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', () => resolve()); // a peer without DELETE: nothing to clean up
      req.end();
    }));
  }
}

/** The revision a modern client speaks: no initialize, no session; version and identity on every request. */
export const MODERN_VERSION = '2026-07-28';
const MODERN_META = {
  'io.modelcontextprotocol/protocolVersion': MODERN_VERSION,
  'io.modelcontextprotocol/clientInfo': { name: 'mcp-bench-raw', version: '1.0.0' },
  'io.modelcontextprotocol/clientCapabilities': {},
};

/**
 * A 2026-07-28 client on the raw node:http stack: every request is one POST carrying the reserved
 * `_meta` keys and the MCP-Protocol-Version / Mcp-Method / Mcp-Name headers (SEP-2243).
 */
export class ModernClient {
  #nextId = 1;

  /**
   * @param {string | URL} url
   * @param {Agent} agent
   */
  constructor(url, agent) {
    this.url = url;
    this.agent = agent;
  }

  /**
   * @param {string} method
   * @param {{ name?: unknown, uri?: unknown, _meta?: object, [key: string]: unknown }} [params]
   * @returns {Promise<WireMessage>} the result
   */
  async call(method, params = {}) {
    const id = this.#nextId++;
    /** @type {Record<string, string>} */
    const headers = { 'mcp-protocol-version': MODERN_VERSION, 'mcp-method': method };
    if (typeof params.name === 'string') headers['mcp-name'] = params.name;
    else if (typeof params.uri === 'string') headers['mcp-name'] = params.uri;
    const r = await post(this.url, this.agent, { jsonrpc: '2.0', id, method, params: { ...params, _meta: { ...params._meta, ...MODERN_META } } }, headers);
    if (r.status !== 200 || r.message?.id !== id) throw new Error(`${method} (2026-07-28): HTTP ${r.status} ${JSON.stringify(r.message).slice(0, 200)}`);
    if (r.message.error !== undefined) throw new Error(`${method} (2026-07-28): ${r.message.error.code} ${r.message.error.message}`);
    // Every 2026-07-28 result says whether it is complete or asks for input (MRTR).
    if (r.message.result?.resultType !== 'complete') throw new Error(`${method} (2026-07-28): resultType ${JSON.stringify(r.message.result?.resultType)}, expected "complete"`);
    return r.message.result;
  }

  /**
   * tools/call echo; throws unless the answer ends with the message.
   * @param {string} message
   */
  async echo(message) {
    const result = await this.call('tools/call', { name: 'echo', arguments: { message } });
    const text = result?.content?.[0]?.text;
    if (typeof text !== 'string' || !text.endsWith(message)) throw new Error(`wrong answer: sent ${message}, got ${JSON.stringify(text)}`);
  }
}

/**
 * The GET stream a 2025 session's client opens after initialize (the Python SDK does, so LiteLLM
 * does): resolves once the answer's headers arrived; close() ends it.
 * @param {string | URL} url
 * @param {Agent} agent
 * @param {OutgoingHttpHeaders} headers
 * @returns {Promise<{ status: number | undefined, close(): void }>}
 */
export function openGetStream(url, agent, headers) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', agent, headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      res.resume();
      resolve({
        status: res.statusCode,
        close() {
          req.destroy();
        },
      });
    });
    req.on('error', (err) => reject(err));
    req.end();
  });
}
