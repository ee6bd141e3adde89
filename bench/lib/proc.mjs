// Process helpers for the benchmark: spawning servers under test with captured output, free ports,
// readiness polling, and memory of a process tree read from /proc (Linux only).
/** @import { ChildProcessByStdio } from 'node:child_process' */
/** @import { AddressInfo } from 'node:net' */
/** @import { Readable } from 'node:stream' */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A TCP port that was free a moment ago on 127.0.0.1 (for peers that cannot take --port 0).
 * @returns {Promise<number>}
 */
export async function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {AddressInfo} */ (srv.address());
      srv.close(() => resolve(port));
    });
  });
}

/**
 * @typedef {{ code: number | null, signal: NodeJS.Signals | null }} Exit
 * @typedef {object} Proc A process started by startProcess.
 * @property {string} name
 * @property {ChildProcessByStdio<null, Readable, Readable>} child
 * @property {number} pid
 * @property {string[]} tail the last 40 lines of stdout and stderr
 * @property {Exit | null} exited
 * @property {boolean} stopping
 * @property {Promise<Exit>} exitPromise
 * @property {(graceMs?: number) => Promise<Exit>} stop
 * @typedef {object} StartOptions
 * @property {NodeJS.ProcessEnv} [env] the whole environment (default: this process's)
 * @property {(line: string) => void} [onStdoutLine]
 * @property {(line: string) => void} [onStderrLine]
 * @property {string} [cwd]
 */

/**
 * Spawns a long-lived server process in its own process group. Keeps the last lines of its stdout and
 * stderr for diagnosis, lets a caller watch stdout lines, and records an unexpected exit.
 * @param {string} name
 * @param {string} command
 * @param {readonly string[]} args
 * @param {StartOptions} [options]
 * @returns {Proc}
 */
export function startProcess(name, command, args, { env, onStdoutLine, onStderrLine, cwd } = {}) {
  const child = spawn(command, args, {
    cwd,
    env: env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // own process group: we can signal the whole tree we started, and only it
  });
  // spawn leaves pid undefined only when it failed to start the command (it then emits 'error').
  const pid = /** @type {number} */ (child.pid);
  /** @type {string[]} */
  const tail = [];
  const keep = (/** @type {string} */ stream, /** @type {string} */ line) => {
    tail.push(`[${stream}] ${line}`);
    if (tail.length > 40) tail.shift();
  };
  const lines = (/** @type {'stdout' | 'stderr'} */ stream, /** @type {((line: string) => void) | undefined} */ cb) => {
    let buf = '';
    child[stream].setEncoding('utf8');
    child[stream].on('data', (/** @type {string} */ chunk) => {
      buf += chunk;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        keep(stream, line);
        cb?.(line);
      }
    });
  };
  lines('stdout', onStdoutLine);
  lines('stderr', onStderrLine);
  /** @type {Proc} */
  const proc = {
    name,
    child,
    pid,
    tail,
    exited: null,
    stopping: false,
    exitPromise: new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        const exit = { code, signal };
        proc.exited = exit;
        resolve(exit);
      });
    }),
    /** SIGTERM the process we started (then its group, then SIGKILL after a grace). */
    async stop(graceMs = 5000) {
      proc.stopping = true;
      if (proc.exited) return proc.exited;
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        /* already gone */
      }
      const done = await Promise.race([proc.exitPromise, sleep(graceMs).then(() => null)]);
      // Children the process should have ended itself (its stdio servers): end the group we created.
      try {
        process.kill(-pid, done ? 'SIGTERM' : 'SIGKILL');
      } catch {
        /* group empty */
      }
      return done ?? (await proc.exitPromise);
    },
  };
  return proc;
}

/**
 * Polls until an HTTP GET on url gets any response (or the process dies / time runs out).
 * @param {string} url
 * @param {Proc | undefined} proc
 */
export async function waitHttp(url, proc, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc?.exited) throw new Error(`${proc.name} exited before listening: ${JSON.stringify(proc.exited)}\n${proc.tail.join('\n')}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.body?.cancel();
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`${proc?.name ?? url}: no answer on ${url} within ${timeoutMs} ms\n${proc?.tail.join('\n') ?? ''}`);
      await sleep(100);
    }
  }
}

/** @param {number | string} pid */
function readStat(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(rest[1]) };
  } catch {
    return undefined;
  }
}

/**
 * pid and all its descendants (from a snapshot of /proc).
 * @param {number} rootPid
 * @returns {number[]}
 */
export function processTree(rootPid) {
  /** @type {Map<number, number[]>} */
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const st = readStat(entry);
    if (!st) continue;
    const list = children.get(st.ppid) ?? [];
    list.push(Number(entry));
    children.set(st.ppid, list);
  }
  const out = [];
  const stack = [rootPid];
  for (let pid = stack.pop(); pid !== undefined; pid = stack.pop()) {
    out.push(pid);
    for (const c of children.get(pid) ?? []) stack.push(c);
  }
  return out;
}

/**
 * RSS and PSS (bytes) summed over the given pids; PSS splits shared pages fairly between processes.
 * @param {Iterable<number>} pids
 */
export function memoryOf(pids) {
  let rss = 0;
  let pss = 0;
  let count = 0;
  for (const pid of pids) {
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      const r = /^Rss:\s+(\d+) kB/m.exec(rollup);
      const p = /^Pss:\s+(\d+) kB/m.exec(rollup);
      if (r) rss += Number(r[1]) * 1024;
      if (p) pss += Number(p[1]) * 1024;
      count++;
    } catch {
      /* exited meanwhile */
    }
  }
  return { rss, pss, processes: count };
}

const CLK_TCK = 100; // Linux USER_HZ; /proc/<pid>/stat reports utime/stime in these ticks

/**
 * CPU time (ms, user + system) used so far by the given pids (living ones; exited ones are lost).
 * @param {Iterable<number>} pids
 */
export function cpuMsOf(pids) {
  const { user, system } = cpuSplitOf(pids);
  return user + system;
}

/**
 * CPU time (ms) used so far by the given pids, user and system apart.
 * @param {Iterable<number>} pids
 */
export function cpuSplitOf(pids) {
  let user = 0;
  let system = 0;
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // After "pid (comm) ": state=0 ppid=1 ... utime=11 stime=12 (fields 14 and 15 of stat).
      user += Number(rest[11]);
      system += Number(rest[12]);
    } catch {
      /* exited */
    }
  }
  return { user: (user * 1000) / CLK_TCK, system: (system * 1000) / CLK_TCK };
}

/**
 * The TCP port a process listens on, read from /proc (its socket inodes against the kernel's
 * listening sockets): for servers started with --port 0 that do not print the port they got, so no
 * free port has to be guessed ahead (and raced for).
 * @param {number} pid
 * @returns {number | undefined}
 */
export function listeningPort(pid) {
  const inodes = new Set();
  let fds = [];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return undefined;
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]);
    } catch {
      /* closed meanwhile */
    }
  }
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address is HEXIP:HEXPORT; st 0A is LISTEN; the inode is the 10th field.
      if (f.length > 9 && f[3] === '0A' && inodes.has(f[9] ?? '')) return parseInt(f[1]?.split(':')[1] ?? '', 16);
    }
  }
  return undefined;
}

/**
 * Polls listeningPort(proc.pid) until the process listens (or dies / time runs out).
 * @param {Proc} proc
 */
export async function waitListening(proc, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exited) throw new Error(`${proc.name} exited before listening: ${JSON.stringify(proc.exited)}\n${proc.tail.join('\n')}`);
    const port = listeningPort(proc.pid);
    if (port !== undefined) return port;
    if (Date.now() > deadline) throw new Error(`${proc.name}: not listening within ${timeoutMs} ms\n${proc.tail.join('\n')}`);
    await sleep(50);
  }
}

/**
 * CPU time (ms) of a process tree over an interval, including children that exit meanwhile: the root's
 * own time plus what it reaped (cutime/cstime: a child's whole life once waited for) plus the living
 * descendants. A child alive at the first reading and reaped before the second moves from "living" to
 * the root's cutime with its whole time, so the difference of two readings stays right.
 * @param {number} rootPid
 */
export function treeCpuMs(rootPid) {
  let ticks = 0;
  for (const pid of processTree(rootPid)) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(rest[11]) + Number(rest[12]);
      if (pid === rootPid) ticks += Number(rest[13]) + Number(rest[14]);
    } catch {
      /* exited */
    }
  }
  return (ticks * 1000) / CLK_TCK;
}
