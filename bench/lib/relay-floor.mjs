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

const command = process.argv.slice(process.argv.indexOf('--') + 1);
const sessions = new Map();
let nextId = 1;

function child() {
  const proc = spawn(command[0], command.slice(1), { stdio: ['pipe', 'pipe', 'ignore'] });
  const pending = new Map();
  let buf = '';
  proc.stdout.setEncoding('utf8');
  proc.stdout.on('data', (chunk) => {
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
  process.stdout.write(`${JSON.stringify({ msg: 'listening', url: `http://127.0.0.1:${server.address().port}/mcp` })}\n`);
});
process.on('SIGTERM', () => {
  for (const s of sessions.values()) s.proc.stdin.end();
  server.close(() => process.exit(0));
});
