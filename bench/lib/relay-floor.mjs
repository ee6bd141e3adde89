#!/usr/bin/env node
// The relay floor: the least a Node HTTP → stdio bridge can do per call. node:http in front, one
// stdio child per session (the command after --), the request body parsed once with JSON.parse, its
// id rewritten, written to the child as one line; the child's line parsed once, id restored, written
// back as the HTTP body. No validation, no limits, no metrics, no guards: not a product, a yardstick
// for what the real bridge's extra work costs (bench/hot-path.mjs target "relay"). Prints
// {"url": ...} on stdout once listening on 127.0.0.1.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';

const [file, ...fileArgs] = process.argv.slice(process.argv.indexOf('--') + 1);
if (file === undefined) throw new Error('usage: relay-floor.mjs -- <stdio server command...>');
/**
 * The open sessions by Mcp-Session-Id (keyed by the header as it comes).
 * @type {Map<unknown, ReturnType<typeof child>>}
 */
const sessions = new Map();
let nextId = 1;

/** @typedef {any} WireMessage a JSON-RPC message as parsed (the floor reads id and method only) */

function child() {
  const proc = spawn(/** @type {string} */ (file), fileArgs, { stdio: ['pipe', 'pipe', 'ignore'] });
  /** @type {Map<number, (response: WireMessage) => void>} */
  const pending = new Map();
  let buf = '';
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (/** @type {string} */ chunk) => {
    buf += chunk;
    for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
      const message = JSON.parse(buf.slice(0, nl));
      buf = buf.slice(nl + 1);
      const waiter = pending.get(message.id);
      if (waiter === undefined) continue;
      pending.delete(message.id);
      waiter(message);
    }
  });
  return {
    proc,
    /**
     * @param {WireMessage} message
     * @param {(response: WireMessage) => void} [onResponse] for a request: its response
     */
    send(message, onResponse) {
      const id = nextId++;
      const original = message.id;
      if (onResponse) pending.set(id, (response) => onResponse({ ...response, id: original }));
      proc.stdin.write(`${JSON.stringify(onResponse ? { ...message, id } : message)}\n`);
    },
  };
}

const server = createServer((req, res) => {
  if (req.method === 'DELETE') {
    sessions.get(req.headers['mcp-session-id'])?.proc.stdin.end();
    sessions.delete(req.headers['mcp-session-id']);
    return void res.writeHead(200).end();
  }
  /** @type {Buffer[]} */
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const message = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    let id = req.headers['mcp-session-id'];
    if (message.method === 'initialize') {
      id = randomUUID();
      sessions.set(id, child());
    }
    const session = sessions.get(id);
    if (session === undefined) return void res.writeHead(404).end();
    if (message.id === undefined) {
      session.send(message);
      return void res.writeHead(202).end();
    }
    session.send(message, (response) => {
      const body = JSON.stringify(response);
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'mcp-session-id': id }).end(body);
    });
  });
});
server.listen(0, '127.0.0.1', () => {
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  process.stdout.write(`${JSON.stringify({ msg: 'listening', url: `http://127.0.0.1:${port}/mcp` })}\n`);
});
process.on('SIGTERM', () => {
  for (const s of sessions.values()) s.proc.stdin.end();
  server.close(() => process.exit(0));
});
