// How many per-session server processes this pod can hold. With ~65 MiB per server process, a
// fixed 1000-session cap lets a pod reach its memory limit long before it answers 503, and the OOM
// killer then takes every session at once. So, unless --max-sessions is given, the cap follows from
// the container's memory limit and the measured size of one server process (docs/reliability.md):
//
//   cap = max(1, floor((limit × (1 − HEADROOM) − bridgeRss − BRIDGE_RESERVE) / (serverRss × MARGIN)))
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
/** Assumed per-server size until the first process is measured (a Node server such as server-everything: ~65 MiB). */
export const ASSUMED_SERVER_RSS = 64 * 1024 * 1024;

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
  readonly serverRssBytes: number;
}

/** Pure: the formula at the top of this file. */
export function sessionCapacity({ limitBytes, bridgeRssBytes, serverRssBytes }: CapacityInput): number {
  const usable = limitBytes * (1 - HEADROOM) - bridgeRssBytes - BRIDGE_RESERVE;
  const perServer = Math.max(1, serverRssBytes) * MARGIN;
  return Math.max(1, Math.floor(usable / perServer));
}

function kbField(text: string, name: string): number {
  const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
  return match?.[1] !== undefined ? Number(match[1]) * 1024 : 0;
}

/**
 * Resident memory of a whole process group (a server is its group's leader: npx → node, uvx →
 * python all count), from /proc/<pid>/status. RSS counts pages shared with other processes (the node
 * binary) in each of them, so this errs on the safe side. Undefined when the group is gone.
 */
export function processGroupRss(pgid: number, proc = '/proc'): number | undefined {
  let total = 0;
  let found = false;
  for (const entry of readdirSync(proc)) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`${proc}/${entry}/stat`, 'utf8');
      // Fields after "(comm)": state ppid pgrp ...
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) !== pgid) continue;
      total += kbField(readFileSync(`${proc}/${entry}/status`, 'utf8'), 'VmRSS');
      found = true;
    } catch {
      // the process ended between readdir and read: it holds no memory any more
    }
  }
  return found ? total : undefined;
}

export type CapacityMode = { kind: 'explicit'; max: number } | { kind: 'memory'; limitBytes: number } | { kind: 'fallback' };

/**
 * The live cap of one bridge. Explicit --max-sessions wins; otherwise, with a memory limit and
 * processes the bridge spawns itself (per-session mode, no --upstream-socket), the formula above
 * with the largest server size seen so far (the first after its initialize, then samples).
 */
export class SessionCapacity {
  private serverRss = ASSUMED_SERVER_RSS;
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
        return sessionCapacity({ limitBytes: this.mode.limitBytes, bridgeRssBytes: this.bridgeRss(), serverRssBytes: this.serverRss });
    }
  }

  get measuresServers(): boolean {
    return this.mode.kind === 'memory';
  }

  /** Largest per-server RSS seen (bytes), or the assumption until one was measured. */
  get serverRssBytes(): number {
    return this.serverRss;
  }

  get hasMeasurement(): boolean {
    return this.measured;
  }

  /** A server process's size (its whole group); the estimate only grows. */
  observe(rssBytes: number | undefined): void {
    if (rssBytes === undefined || rssBytes <= 0) return;
    this.serverRss = this.measured ? Math.max(this.serverRss, rssBytes) : rssBytes;
    this.measured = true;
  }
}

/** Which mode applies: pure given its inputs. */
export function capacityMode(explicit: number | undefined, perSessionProcesses: boolean, limitBytes: number | undefined): CapacityMode {
  if (explicit !== undefined) return { kind: 'explicit', max: explicit };
  if (perSessionProcesses && limitBytes !== undefined) return { kind: 'memory', limitBytes };
  return { kind: 'fallback' };
}
