// The systems under test: this bridge, supergateway (npm), mcp-proxy (PyPI), and direct stdio, all
// serving the same stdio server command; plus an SDK client session factory for each transport.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn, spawnSync } from 'node:child_process';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { freePort, startProcess, waitHttp, waitListening } from './proc.mjs';
/** @import { Proc } from './proc.mjs' */

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const PEERS_DIR = process.env.BENCH_PEERS_DIR ?? '/tmp/bench-peers';
export const SG_BIN = path.join(PEERS_DIR, 'node_modules/supergateway/dist/index.js');
export const MCP_PROXY_BIN = path.join(PEERS_DIR, 'venv/bin/mcp-proxy');
/** punkpeye's mcp-proxy from npm (6.7.x): 2025-era and 2026-07-28 clients on one /mcp, one shared child. */
export const MCP_PROXY_NPM_DIR = path.join(PEERS_DIR, 'npm-mcp-proxy/node_modules/mcp-proxy');
export const MCP_PROXY_NPM_BIN = path.join(MCP_PROXY_NPM_DIR, 'dist/bin/mcp-proxy.mjs');
/** BENCH_BRIDGE_MAIN: another build (e.g. a copy of dist/ from an older commit) for before/after runs. */
export const BRIDGE_MAIN = process.env.BENCH_BRIDGE_MAIN ?? path.join(ROOT, 'dist/bridge/main.js');

/**
 * Stdio server commands (argv after `node`).
 * @typedef {'fixture' | 'everything'} ServerName
 * @type {Record<ServerName, string[]>}
 */
export const SERVERS = {
  fixture: [path.join(ROOT, 'test/fixtures/fixture-server.mjs')],
  everything: [path.join(ROOT, 'node_modules/@modelcontextprotocol/server-everything/dist/index.js'), 'stdio'],
};

export const CONNECT_TIMEOUT_MS = 30_000;

export function peerVersions() {
  /** @type {Record<string, string | null>} */
  const v = {};
  try {
    v.supergateway = JSON.parse(readFileSync(path.join(PEERS_DIR, 'node_modules/supergateway/package.json'), 'utf8')).version;
  } catch {
    v.supergateway = null;
  }
  if (existsSync(MCP_PROXY_BIN)) {
    const r = spawnSync(MCP_PROXY_BIN, ['--version'], { encoding: 'utf8' });
    v.mcpProxy = (r.stdout || r.stderr || '').trim().split(/\s+/).pop() || 'unknown';
    const py = spawnSync(path.join(PEERS_DIR, 'venv/bin/python'), ['-c', 'import importlib.metadata as m; print(m.version("mcp"))'], { encoding: 'utf8' });
    v.mcpPythonSdk = py.stdout.trim() || 'unknown';
  } else {
    v.mcpProxy = null;
  }
  try {
    v.mcpProxyNpm = JSON.parse(readFileSync(path.join(MCP_PROXY_NPM_DIR, 'package.json'), 'utf8')).version;
  } catch {
    v.mcpProxyNpm = null;
  }
  v.sdk = JSON.parse(readFileSync(path.join(ROOT, 'node_modules/@modelcontextprotocol/sdk/package.json'), 'utf8')).version;
  return v;
}

/**
 * Starts this project's bridge; resolves once its "listening" log line gives the URLs. `main` may point
 * at another build (e.g. a copy of dist/ from an older commit, for interleaved before/after runs).
 * @param {object} [options]
 * @param {ServerName} [options.server]
 * @param {number} [options.warmPool]
 * @param {'per-session' | 'shared'} [options.sessionMode]
 * @param {string[]} [options.nodeArgs] node's own flags (before the script)
 * @param {string[]} [options.extraArgs] more bridge flags
 * @param {string} [options.main] the bridge's main.js
 * @param {string} [options.name] for messages (default: from mode, pool and server)
 * @param {NodeJS.ProcessEnv} [options.env] the whole environment (default: this process's)
 * @returns {Promise<Target>}
 */
export async function startBridge({ server = 'fixture', warmPool = 0, sessionMode = 'per-session', nodeArgs = [], extraArgs = [], main = BRIDGE_MAIN, name, env } = {}) {
  /** @type {(rec: { url: string, sseUrl: string }) => void} */
  let resolveListening = () => {};
  /** @type {Promise<{ url: string, sseUrl: string }>} */
  const listening = new Promise((r) => (resolveListening = r));
  const proc = startProcess(
    name ?? `bridge(${sessionMode},wp=${warmPool},${server})`,
    process.execPath,
    [...nodeArgs, main, '--port', '0', '--host', '127.0.0.1', '--warm-pool', String(warmPool), '--session-mode', sessionMode, ...extraArgs, '--', process.execPath, ...SERVERS[server]],
    {
      env,
      onStdoutLine(line) {
        if (!line.includes('"listening"')) return;
        try {
          const rec = JSON.parse(line);
          if (rec.msg === 'listening') resolveListening(rec);
        } catch {
          /* not JSON */
        }
      },
    },
  );
  const rec = await Promise.race([
    listening,
    proc.exitPromise.then((e) => {
      throw new Error(`bridge exited before listening: ${JSON.stringify(e)}\n${proc.tail.join('\n')}`);
    }),
    /** @type {Promise<never>} */ (new Promise((_, rej) => setTimeout(() => rej(new Error(`bridge did not log "listening" in 30 s\n${proc.tail.join('\n')}`)), 30_000).unref())),
  ]);
  return { proc, url: rec.url, sseUrl: rec.sseUrl };
}

/**
 * A server under test that listens on HTTP: the process and its Streamable HTTP and SSE URLs.
 * @typedef {{ proc: Proc, url: string, sseUrl: string }} Target
 */

/**
 * supergateway --stdio "<cmd>" with Streamable HTTP (--stateful: a child per session) or SSE (one shared child).
 * @param {{ server?: ServerName, mode?: 'http' | 'sse' }} [options]
 * @returns {Promise<Target>}
 */
export async function startSupergateway({ server = 'fixture', mode = 'http' } = {}) {
  const port = await freePort();
  const cmd = [process.execPath, ...SERVERS[server]].map((a) => (/\s/.test(a) ? JSON.stringify(a) : a)).join(' ');
  const args = [SG_BIN, '--stdio', cmd, '--port', String(port), '--logLevel', 'none', '--healthEndpoint', '/healthz'];
  if (mode === 'http') args.push('--outputTransport', 'streamableHttp', '--stateful');
  else args.push('--outputTransport', 'sse');
  const proc = startProcess(`supergateway(${mode},${server})`, process.execPath, args);
  await waitHttp(`http://127.0.0.1:${port}/healthz`, proc);
  return { proc, url: `http://127.0.0.1:${port}/mcp`, sseUrl: `http://127.0.0.1:${port}/sse` };
}

/**
 * mcp-proxy --port P -- <cmd>: one child started at boot, shared by all sessions; /mcp and /sse.
 * @param {{ server?: ServerName }} [options]
 * @returns {Promise<Target>}
 */
export async function startMcpProxy({ server = 'fixture' } = {}) {
  const port = await freePort();
  const proc = startProcess(`mcp-proxy(${server})`, MCP_PROXY_BIN, ['--port', String(port), '--host', '127.0.0.1', '--log-level', 'WARNING', '--', process.execPath, ...SERVERS[server]]);
  await waitHttp(`http://127.0.0.1:${port}/status`, proc);
  return { proc, url: `http://127.0.0.1:${port}/mcp`, sseUrl: `http://127.0.0.1:${port}/sse` };
}

/**
 * mcp-proxy (npm) --port 0 -- <cmd>: it binds a free port without printing it, so the port is read from
 * /proc once the process listens. Its defaults: 2026-07-28 served next to 2025 (--modern), the child
 * spoken to in the 2025 era (--upstreamProtocol legacy), one child for all sessions.
 * @param {{ server?: ServerName, extraArgs?: string[] }} [options]
 * @returns {Promise<Target>}
 */
export async function startMcpProxyNpm({ server = 'fixture', extraArgs = [] } = {}) {
  const proc = startProcess(`mcp-proxy-npm(${server})`, process.execPath, [MCP_PROXY_NPM_BIN, '--port', '0', '--host', '127.0.0.1', ...extraArgs, '--', process.execPath, ...SERVERS[server]]);
  const port = await waitListening(proc);
  await waitHttp(`http://127.0.0.1:${port}/ping`, proc);
  return { proc, url: `http://127.0.0.1:${port}/mcp`, sseUrl: `http://127.0.0.1:${port}/sse` };
}

/**
 * Opens one SDK client session on a target: {transport: 'stdio', server} spawns the server itself;
 * {transport: 'http'|'sse', url}. Resolves after initialize (+ notifications/initialized).
 * @typedef {{ transport: 'stdio', server?: ServerName } | { transport: 'http' | 'sse', url: string }} SessionTarget
 * @typedef {object} Session
 * @property {Client} client
 * @property {StdioClientTransport | StreamableHTTPClientTransport | SSEClientTransport} transport
 * @property {string[]} errors the first 5 errors the client reported
 * @property {number | null | undefined} pid the server's pid (stdio only)
 * @property {() => Promise<void>} close
 * @param {SessionTarget} target
 * @returns {Promise<Session>}
 */
export async function openSession(target) {
  const client = new Client({ name: 'mcp-bench', version: '1.0.0' }, { capabilities: {} });
  const stdio = target.transport === 'stdio' ? new StdioClientTransport({ command: process.execPath, args: SERVERS[target.server ?? 'fixture'], stderr: 'ignore' }) : undefined;
  const http = target.transport === 'http' ? new StreamableHTTPClientTransport(new URL(target.url)) : undefined;
  const transport = stdio ?? http ?? new SSEClientTransport(new URL(/** @type {{ url: string }} */ (target).url));
  /** @type {string[]} */
  const errors = [];
  client.onerror = (err) => {
    if (errors.length < 5) errors.push(err?.message ?? String(err));
  };
  await client.connect(transport, { timeout: CONNECT_TIMEOUT_MS });
  return {
    client,
    transport,
    errors,
    get pid() {
      return stdio?.pid;
    },
    async close() {
      try {
        if (http !== undefined) await http.terminateSession();
      } catch {
        /* peer may not support DELETE */
      }
      await client.close().catch(() => {});
    },
  };
}

/**
 * Opens n sessions, at most `parallel` handshakes at a time. Throws the first failure (after closing the rest).
 * @param {SessionTarget} target
 * @param {number} n
 */
export async function openMany(target, n, parallel = 8) {
  /** @type {Session[]} */
  const sessions = [];
  let next = 0;
  /** @type {unknown} */
  let failure;
  const worker = async () => {
    while (next < n && failure === undefined) {
      next++;
      try {
        sessions.push(await openSession(target));
      } catch (err) {
        failure ??= err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, n) }, worker));
  if (failure !== undefined) {
    await closeAll(sessions);
    throw failure;
  }
  return sessions;
}

/** @param {Iterable<{ close(): Promise<void> }>} sessions */
export async function closeAll(sessions, parallel = 16) {
  const list = [...sessions];
  await Promise.all(
    Array.from({ length: Math.min(parallel, list.length) }, async () => {
      for (let s = list.pop(); s !== undefined; s = list.pop()) await s.close();
    }),
  );
}

/** The HTTP floor (bench/lib/http-floor.mjs) in its own process. */
export function startHttpFloor() {
  return startUrlPrinter('http-floor', [path.join(ROOT, 'bench/lib/http-floor.mjs')]);
}

/**
 * The relay floor (bench/lib/relay-floor.mjs) in front of a stdio server.
 * @param {ServerName} [server]
 */
export function startRelayFloor(server = 'fixture') {
  return startUrlPrinter('relay-floor', [path.join(ROOT, 'bench/lib/relay-floor.mjs'), '--', process.execPath, ...SERVERS[server]]);
}

/**
 * A node script that prints {"url": ...} as its first stdout line once it listens.
 * @param {string} name
 * @param {string[]} args
 * @returns {Promise<{ proc: Proc, url: string }>}
 */
async function startUrlPrinter(name, args) {
  /** @type {(url: string) => void} */
  let resolveUrl = () => {};
  /** @type {Promise<string>} */
  const ready = new Promise((r) => (resolveUrl = r));
  const proc = startProcess(name, process.execPath, args, {
    onStdoutLine(line) {
      try {
        resolveUrl(JSON.parse(line).url);
      } catch {
        /* not JSON */
      }
    },
  });
  const url = await Promise.race([ready, proc.exitPromise.then((e) => Promise.reject(new Error(`${name} exited: ${JSON.stringify(e)}\n${proc.tail.join('\n')}`)))]);
  return { proc, url };
}

/**
 * Direct stdio with a raw client: each open() spawns the fixture and initializes it over raw JSON-RPC
 * lines; the session's echo() is a tools/call on its stdin/stdout. The cheapest client there is, for
 * the "overhead over direct stdio" comparison in bench/hot-path.mjs.
 */
/** @param {ServerName} [server] */
export async function startStdioDirect(server = 'fixture') {
  return {
    /** No process of its own (each session is one): the callers read proc.pid === undefined as that. */
    proc: /** @type {{ pid?: number, stop?: () => Promise<unknown> }} */ ({}),
    async open() {
      const p = await startPrespawned(server, 0);
      await p.initializeAndEcho();
      let seq = 10;
      return {
        pid: p.pid,
        /** @param {string} message */
        async echo(message) {
          const r = await p.request(++seq, 'tools/call', { name: 'echo', arguments: { message } });
          const text = r.result?.content?.[0]?.text;
          if (typeof text !== 'string' || !text.endsWith(message)) throw new Error(`wrong answer: sent ${message}, got ${JSON.stringify(text)}`);
        },
        close: () => p.close(),
      };
    },
  };
}

/**
 * A stdio server process started `waitMs` before use and then spoken to with raw JSON-RPC lines: the
 * least a warm pool that only pre-spawns (does not pre-initialize) can give a new session.
 * @param {ServerName} server
 * @param {number} waitMs
 */
export async function startPrespawned(server, waitMs) {
  const child = spawn(process.execPath, SERVERS[server], { stdio: ['pipe', 'pipe', 'ignore'] });
  /** @type {Map<unknown, (message: any) => void>} */
  const waiters = new Map();
  let buf = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d) => {
    buf += d;
    for (let k = buf.indexOf('\n'); k >= 0; k = buf.indexOf('\n')) {
      const line = buf.slice(0, k);
      buf = buf.slice(k + 1);
      try {
        const m = JSON.parse(line);
        const waiter = waiters.get(m.id);
        waiters.delete(m.id);
        waiter?.(m);
      } catch {
        /* not JSON */
      }
    }
  });
  const exited = new Promise((r) => child.once('exit', r));
  const send = (/** @type {object} */ m) => child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...m })}\n`);
  /**
   * One JSON-RPC request; the answer as parsed (any: the raw wire, checked by the callers).
   * @param {number} id
   * @param {string} method
   * @param {object} params
   * @returns {Promise<any>}
   */
  const req = (id, method, params) =>
    Promise.race([
      new Promise((resolve) => {
        waiters.set(id, resolve);
        send({ id, method, params });
      }),
      exited.then(() => Promise.reject(new Error(`${server} exited`))),
      new Promise((_, rej) => setTimeout(() => rej(new Error(`${method}: no answer in 30 s`)), 30_000).unref()),
    ]);
  await new Promise((r) => setTimeout(r, waitMs));
  return {
    pid: child.pid,
    request: req,
    async initializeAndEcho() {
      const t0 = performance.now();
      await req(1, 'initialize', { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'mcp-bench', version: '1.0.0' } });
      const init = performance.now() - t0;
      send({ method: 'notifications/initialized' });
      const r = await req(2, 'tools/call', { name: 'echo', arguments: { message: 'hi' } });
      if (r.error || !String(r.result?.content?.[0]?.text ?? '').endsWith('hi')) throw new Error(`bad echo answer: ${JSON.stringify(r).slice(0, 200)}`);
      return { init, total: performance.now() - t0 };
    },
    async close() {
      child.stdin.end();
      const t = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(t);
    },
  };
}
