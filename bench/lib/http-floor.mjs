#!/usr/bin/env node
// The HTTP floor: a minimal node:http MCP endpoint that answers initialize and tools/call echo in
// process, with no stdio child and no bridge logic. What the SDK's Streamable HTTP client plus Node's
// HTTP server cost for one call is the least any HTTP bridge in Node can add; the bench shows it as a
// reference row. Prints {"url": ...} on stdout once listening on 127.0.0.1.
import { createServer } from 'node:http';
import { randomUUID } from 'node:crypto';

const server = createServer((req, res) => {
  if (req.method === 'DELETE') return void res.writeHead(200).end();
  if (req.method !== 'POST') return void res.writeHead(405, { allow: 'POST, DELETE' }).end();
  /** @type {Buffer[]} */
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const msg = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (msg.id === undefined) return void res.writeHead(202).end();
    let result;
    /** @type {Record<string, string | number>} */
    const headers = { 'content-type': 'application/json' };
    if (msg.method === 'initialize') {
      headers['mcp-session-id'] = randomUUID();
      result = { protocolVersion: msg.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'http-floor', version: '1.0.0' } };
    } else if (msg.method === 'tools/call') {
      result = { content: [{ type: 'text', text: String(msg.params.arguments?.message ?? '') }] };
    } else {
      result = {};
    }
    const body = JSON.stringify({ jsonrpc: '2.0', id: msg.id, result });
    headers['content-length'] = Buffer.byteLength(body);
    res.writeHead(200, headers).end(body);
  });
});
server.listen(0, '127.0.0.1', () => {
  const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
  process.stdout.write(`${JSON.stringify({ msg: 'listening', url: `http://127.0.0.1:${port}/mcp` })}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
