// LiteLLM's proxy (PyPI `litellm`, pinned in test/python/requirements-litellm*.txt and installed into
// .venv by hack/setup.sh) as a real client of the bridge, and a recording relay that sits between the
// two so a test can say exactly what LiteLLM sent. No model is configured: the proxy's MCP REST
// endpoints (/mcp-rest/tools/list, /mcp-rest/tools/call) drive the upstream MCP servers directly.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, until } from './bridge-harness.js';

export const LITELLM = join(ROOT, '.venv/bin/litellm');
const MASTER_KEY = 'sk-bridge-test';

/** What `protocol_version` accepts in litellm 1.110.2 (litellm/types/mcp.py, MCPUpstreamProtocol). */
export type LitellmProtocol = 'auto' | '2026-07-28' | '2025-11-25' | '2025-06-18' | '2025-03-26' | '2024-11-05';

export interface UpstreamEntry {
  readonly url: string;
  /** The relay `url` goes through: its traffic is added to the error when LiteLLM fails. */
  readonly relay?: RecordingRelay;
  /** Omitted: the key is left out of the config (LiteLLM's default, "auto": initialize, 2025-era). */
  readonly protocolVersion?: LitellmProtocol;
}

export interface RunningLitellm {
  readonly url: string;
  /** GET /mcp-rest/tools/list?server_id=<name>: the tool names LiteLLM got from that server. */
  listTools(server: string): Promise<string[]>;
  /** POST /mcp-rest/tools/call; resolves LiteLLM's JSON answer (a CallToolResult), throws on a non-200. */
  callTool(server: string, name: string, args: Record<string, unknown>): Promise<ToolResult>;
  /** The last lines LiteLLM printed, for failure messages. */
  tail(): string;
  close(): Promise<void>;
}

export interface ToolResult {
  readonly content?: { type: string; text?: string }[];
  readonly isError?: boolean;
  readonly resultType?: string;
}

export function textOfResult(result: ToolResult): string {
  return (result.content ?? []).map((c) => c.text ?? '').join('');
}

/** One YAML double-quoted scalar (JSON strings are valid YAML). */
const yaml = (s: string): string => JSON.stringify(s);

/**
 * Starts `litellm --config <file> --host 127.0.0.1 --port 0`: the kernel picks the port and uvicorn
 * prints the one it bound ("Uvicorn running on http://127.0.0.1:PORT"), so there is no race for a
 * free port. Then polls /health/liveliness until it answers 200.
 */
export async function startLitellm(servers: Record<string, UpstreamEntry>): Promise<RunningLitellm> {
  if (!existsSync(LITELLM)) throw new Error(`${LITELLM} is missing: run hack/setup.sh (it installs LiteLLM into .venv)`);
  const dir = mkdtempSync(join(tmpdir(), 'litellm-'));
  const lines = ['general_settings:', `  master_key: ${yaml(MASTER_KEY)}`, 'mcp_servers:'];
  for (const [name, entry] of Object.entries(servers)) {
    lines.push(`  ${name}:`, `    url: ${yaml(entry.url)}`, '    transport: "http"');
    if (entry.protocolVersion !== undefined) lines.push(`    protocol_version: ${yaml(entry.protocolVersion)}`);
  }
  const config = join(dir, 'config.yaml');
  writeFileSync(config, `${lines.join('\n')}\n`);

  const child = spawn(LITELLM, ['--config', config, '--host', '127.0.0.1', '--port', '0'], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      // Use the model cost map inside the wheel instead of fetching one at start.
      LITELLM_LOCAL_MODEL_COST_MAP: 'True',
      PYTHONUNBUFFERED: '1',
      NO_COLOR: '1',
    },
  });
  const output: string[] = [];
  let port: number | undefined;
  const onData = (chunk: Buffer): void => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.trim() === '') continue;
      output.push(line);
      if (output.length > 200) output.shift();
      const bound = /Uvicorn running on http:\/\/127\.0\.0\.1:(\d+)/.exec(line);
      if (bound?.[1] !== undefined) port = Number(bound[1]);
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const tail = (): string => output.slice(-40).join('\n');

  const running = (): boolean => child.exitCode === null && child.signalCode === null;
  try {
    await until('LiteLLM to print the port it bound', () => {
      if (!running()) throw new Error(`LiteLLM exited (${String(child.exitCode ?? child.signalCode)}):\n${tail()}`);
      return port !== undefined;
    }, 120_000);
    const url = `http://127.0.0.1:${String(port)}`;
    await until('LiteLLM /health/liveliness to answer 200', async () => {
      if (!running()) throw new Error(`LiteLLM exited (${String(child.exitCode ?? child.signalCode)}):\n${tail()}`);
      const res = await fetch(`${url}/health/liveliness`).catch(() => undefined);
      await res?.body?.cancel();
      return res?.status === 200;
    }, 60_000);
    return litellmClient(url, child, exited, tail, servers);
  } catch (err) {
    await stop(child, exited);
    throw err;
  }
}

function litellmClient(url: string, child: ChildProcess, exited: Promise<void>, tail: () => string, servers: Record<string, UpstreamEntry>): RunningLitellm {
  const auth = { authorization: `Bearer ${MASTER_KEY}` };
  /** Runs one REST call; a failure says what LiteLLM sent the bridge meanwhile and what it logged. */
  const traced = async <T>(server: string, what: string, call: () => Promise<T>): Promise<T> => {
    const relay = servers[server]?.relay;
    const from = relay?.exchanges.length ?? 0;
    const logFrom = tail().split('\n').length;
    try {
      return await call();
    } catch (err) {
      const traffic = relay?.exchanges.slice(from).map(describeExchange).join('\n') ?? '(no relay)';
      const logged = tail().split('\n').slice(Math.max(0, logFrom - 40)).filter((l) => l.includes(server) || /Error|error/.test(l)).slice(-8).join('\n');
      throw new Error(`LiteLLM ${what}: ${err instanceof Error ? err.message : String(err)}\n-- what LiteLLM sent the bridge, and the answers:\n${traffic}\n-- LiteLLM's log:\n${logged}`);
    }
  };
  return {
    url,
    tail,
    listTools: (server) =>
      traced(server, `tools/list ${server}`, async () => {
        const res = await fetch(`${url}/mcp-rest/tools/list?server_id=${encodeURIComponent(server)}`, { headers: auth });
        const text = await res.text();
        if (res.status !== 200) throw new Error(`HTTP ${res.status} ${text.slice(0, 500)}`);
        const body = JSON.parse(text) as { tools?: { name: string }[] };
        if (body.tools === undefined) throw new Error(`no tools in ${text.slice(0, 500)}`);
        return body.tools.map((t) => t.name);
      }),
    callTool: (server, name, args) =>
      traced(server, `tools/call ${server}/${name}`, async () => {
        const res = await fetch(`${url}/mcp-rest/tools/call`, {
          method: 'POST',
          headers: { ...auth, 'content-type': 'application/json' },
          body: JSON.stringify({ server_id: server, name, arguments: args }),
        });
        const text = await res.text();
        if (res.status !== 200) throw new Error(`HTTP ${res.status} ${text.slice(0, 500)}`);
        return JSON.parse(text) as ToolResult;
      }),
    close: () => stop(child, exited),
  };
}

/** SIGTERM the process we started, SIGKILL if it is still there after 10 s. */
async function stop(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** One HTTP exchange that went through the relay. */
export interface Exchange {
  readonly method: string;
  readonly path: string;
  /** The MCP headers and Accept / Content-Type, lower-cased names. */
  readonly headers: Record<string, string>;
  /** The request body parsed as JSON (undefined for GET/DELETE). */
  readonly body?: unknown;
  /** The client's TCP port: exchanges with the same one shared a connection. */
  readonly connection: number;
  status?: number;
  /** The session id the answer carried (an initialize's answer mints it). */
  responseSessionId?: string;
  /** The first bytes of the answer's body. */
  responseHead?: string;
}

/** One line per exchange, for failure messages: method, JSON-RPC method, MCP headers, status, answer. */
export function describeExchange(e: Exchange): string {
  const rpc = typeof e.body === 'object' && e.body !== null ? (e.body as { method?: string }).method : undefined;
  const mcp = Object.entries(e.headers).filter(([k]) => k.startsWith('mcp-') && k !== 'mcp-session-id').map(([k, v]) => `${k}: ${v}`).join(', ');
  return `  ${e.method} ${rpc ?? ''} [${mcp}] -> ${String(e.status ?? 'no answer')} ${(e.responseHead ?? '').slice(0, 300)}`;
}

export interface RecordingRelay {
  readonly url: string;
  readonly exchanges: Exchange[];
  close(): Promise<void>;
}

const KEPT_HEADERS = /^(mcp-|accept$|content-type$|last-event-id$)/;

function keptHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (KEPT_HEADERS.test(name) && value !== undefined) kept[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return kept;
}

/**
 * A node:http relay on port 0 in front of `target` (the bridge's origin): streams each request and
 * response through unchanged (SSE included) and records what the client sent.
 */
export async function recordingRelay(target: string): Promise<RecordingRelay> {
  const upstream = new URL(target);
  const exchanges: Exchange[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      let body: unknown;
      if (raw.length > 0) {
        try {
          body = JSON.parse(raw.toString('utf8')) as unknown;
        } catch {
          body = raw.toString('utf8');
        }
      }
      const exchange: Exchange = { method: req.method ?? '?', path: req.url ?? '/', headers: keptHeaders(req.headers), body, connection: req.socket.remotePort ?? 0 };
      exchanges.push(exchange);
      const forward = request({ host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers }, (answer) => {
        exchange.status = answer.statusCode;
        const minted = answer.headers['mcp-session-id'];
        if (typeof minted === 'string') exchange.responseSessionId = minted;
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        let head = '';
        answer.on('data', (c: Buffer) => {
          if (head.length < 2000) head += c.toString('utf8');
          exchange.responseHead = head;
        });
        answer.pipe(res);
      });
      forward.on('error', (err) => {
        if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`relay: ${err.message}`);
      });
      res.on('close', () => forward.destroy());
      forward.end(raw);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${String(port)}`,
    exchanges,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
