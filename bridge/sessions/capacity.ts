// How many per-session server processes this pod can hold. With ~65 MiB per server process, a
// fixed 1000-session cap lets a pod reach its memory limit long before it answers 503, and the OOM
// killer then takes every session at once. So, unless --max-sessions is given, the cap follows from
// the container's memory limit and the measured size of one server process (docs/reliability.md):
//
//   cap = max(1, floor((limit × (1 − HEADROOM) − bridgeRss − BRIDGE_RESERVE − serverShared) / (serverPrivate × MARGIN)))
//
// A server's private pages (its heap) are what each more process costs; its shared pages (the node or
// python binary and libraries, page cache the cgroup charges once) are counted once. Counting whole
// RSS per process instead would plan for ~2.4x the memory server-everything really takes (69 MiB RSS,
// of which 41 MiB shared and 28 MiB private).
import { readFileSync, readdirSync } from 'node:fs';
import { totalmem } from 'node:os';

/** Without a usable memory limit (none, or more than the machine has), the old fixed default. */
export const FALLBACK_MAX_SESSIONS = 1000;
/** Part of the limit never planned for: page cache, kernel buffers, allocator slack. */
export const HEADROOM = 0.1;
/** What the bridge itself may still grow by (buffers, SSE queues, sessions' state) past its measured RSS. */
export const BRIDGE_RESERVE = 64 * 1024 * 1024;
/** Servers grow with use (caches, loaded tools): each counts for this much more than measured at start. */
export const MARGIN = 1.25;
/** Assumed per-server size until the first process is measured (all of a Node server's RSS, as if private). */
export const ASSUMED_SERVER_PRIVATE = 64 * 1024 * 1024;

/** cgroup v1 reports "unlimited" as a page-aligned 2^63 − 1; anything this large is no limit. */
const HUGE = 2 ** 60;

/** A cgroup memory limit file's content → bytes, or undefined for no limit ("max", huge, garbage). */
export function parseCgroupMemoryLimit(text: string): number | undefined {
  const value = text.trim();
  if (value === 'max' || !/^\d+$/.test(value)) return undefined;
  const bytes = Number(value);
  return bytes > 0 && bytes < HUGE ? bytes : undefined;
}

const CGROUP_FILES = ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes'];

/**
 * The container's memory limit: cgroup v2 first, then v1. A limit at or above the machine's memory
 * is no limit in practice (a v1 child cgroup without one may report the host's size).
 */
export function readMemoryLimit(read: (path: string) => string = (p) => readFileSync(p, 'utf8'), machineBytes = totalmem()): number | undefined {
  for (const file of CGROUP_FILES) {
    let text: string;
    try {
      text = read(file);
    } catch {
      continue; // this cgroup version is not mounted here: try the other
    }
    const limit = parseCgroupMemoryLimit(text);
    return limit !== undefined && limit < machineBytes ? limit : undefined;
  }
  return undefined;
}

export interface CapacityInput {
  readonly limitBytes: number;
  readonly bridgeRssBytes: number;
  /** Private memory of one server (its process group): what each more server costs. */
  readonly serverPrivateBytes: number;
  /** Shared pages of one server: charged once, whatever the number of servers. */
  readonly serverSharedBytes?: number;
}

/** Pure: the formula at the top of this file. */
export function sessionCapacity({ limitBytes, bridgeRssBytes, serverPrivateBytes, serverSharedBytes = 0 }: CapacityInput): number {
  const usable = limitBytes * (1 - HEADROOM) - bridgeRssBytes - BRIDGE_RESERVE - serverSharedBytes;
  const perServer = Math.max(1, serverPrivateBytes) * MARGIN;
  return Math.max(1, Math.floor(usable / perServer));
}

function kbField(text: string, name: string): number {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
  return match?.[1] !== undefined ? Number(match[1]) * 1024 : 0;
}

export interface GroupMemory {
  /** Private_Clean + Private_Dirty: pages only this group's processes hold. */
  readonly privateBytes: number;
  /** Shared_Clean + Shared_Dirty: pages also mapped elsewhere (binaries, libraries). */
  readonly sharedBytes: number;
}

/** One process's memory from smaps_rollup (Linux ≥ 4.14); else all of VmRSS, taken as private (safe side). */
function processMemory(dir: string): GroupMemory {
  try {
    const rollup = readFileSync(`${dir}/smaps_rollup`, 'utf8');
    return {
      privateBytes: kbField(rollup, 'Private_Clean') + kbField(rollup, 'Private_Dirty'),
      sharedBytes: kbField(rollup, 'Shared_Clean') + kbField(rollup, 'Shared_Dirty'),
    };
  } catch {
    return { privateBytes: kbField(readFileSync(`${dir}/status`, 'utf8'), 'VmRSS'), sharedBytes: 0 };
  }
}

/**
 * Memory of a whole process group (a server is its group's leader: npx → node, uvx → python all
 * count), from /proc. Undefined when the group is gone.
 */
export function processGroupMemory(pgid: number, proc = '/proc'): GroupMemory | undefined {
  let privateBytes = 0;
  let sharedBytes = 0;
  let found = false;
  for (const entry of readdirSync(proc)) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`${proc}/${entry}/stat`, 'utf8');
      // Fields after "(comm)": state ppid pgrp ...
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue;
      const memory = processMemory(`${proc}/${entry}`);
      privateBytes += memory.privateBytes;
      sharedBytes += memory.sharedBytes;
      found = true;
    } catch {
      // the process ended between readdir and read: it holds no memory any more
    }
  }
  return found ? { privateBytes, sharedBytes } : undefined;
}

export type CapacityMode = { kind: 'explicit'; max: number } | { kind: 'memory'; limitBytes: number } | { kind: 'fallback' };

/**
 * The live cap of one bridge. Explicit --max-sessions wins; otherwise, with a memory limit and
 * processes the bridge spawns itself (per-session mode, no --upstream-socket), the formula above
 * with the largest server size seen so far (the first after its initialize, then samples).
 */
export class SessionCapacity {
  private serverPrivate = ASSUMED_SERVER_PRIVATE;
  private serverShared = 0;
  private measured = false;

  constructor(
    readonly mode: CapacityMode,
    private readonly bridgeRss: () => number = () => process.memoryUsage.rss(),
  ) {}

  get max(): number {
    switch (this.mode.kind) {
      case 'explicit':
        return this.mode.max;
      case 'fallback':
        return FALLBACK_MAX_SESSIONS;
      case 'memory':
        return sessionCapacity({ limitBytes: this.mode.limitBytes, bridgeRssBytes: this.bridgeRss(), serverPrivateBytes: this.serverPrivate, serverSharedBytes: this.serverShared });
    }
  }

  get measuresServers(): boolean {
    return this.mode.kind === 'memory';
  }

  /** Largest per-server private memory seen (bytes), or the assumption until one was measured. */
  get serverPrivateBytes(): number {
    return this.serverPrivate;
  }

  /** Largest shared memory of one server seen (bytes), counted once. */
  get serverSharedBytes(): number {
    return this.serverShared;
  }

  get hasMeasurement(): boolean {
    return this.measured;
  }

  /** A server process's size (its whole group); the estimate only grows. */
  observe(memory: GroupMemory | undefined): void {
    if (memory === undefined || memory.privateBytes <= 0) return;
    this.serverPrivate = this.measured ? Math.max(this.serverPrivate, memory.privateBytes) : memory.privateBytes;
    this.serverShared = this.measured ? Math.max(this.serverShared, memory.sharedBytes) : memory.sharedBytes;
    this.measured = true;
  }
}

/** Which mode applies: pure given its inputs. */
export function capacityMode(explicit: number | undefined, perSessionProcesses: boolean, limitBytes: number | undefined): CapacityMode {
  if (explicit !== undefined) return { kind: 'explicit', max: explicit };
  if (perSessionProcesses && limitBytes !== undefined) return { kind: 'memory', limitBytes };
  return { kind: 'fallback' };
}
