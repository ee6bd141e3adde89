import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FALLBACK_MAX_SESSIONS, SessionCapacity, capacityMode, parseCgroupMemoryLimit, processGroupMemory, readMemoryLimit, sessionCapacity } from './capacity.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

describe('the memory-based session cap', () => {
  it('when the limit is 1 GiB, the bridge uses 60 MiB and a server 65 MiB, then (0.9 GiB − 60 − 64 MiB) / (65 MiB × 1.25) sessions', () => {
    // 921.6 − 124 = 797.6 MiB usable; 81.25 MiB per server → 9.8
    expect(sessionCapacity({ limitBytes: GiB, bridgeRssBytes: 60 * MiB, serverPrivateBytes: 65 * MiB })).toBe(9);
  });

  it('when a server has shared pages, then they are counted once, not per server', () => {
    // 1 GiB: (921.6 − 60 − 64 − 41) / (28 × 1.25) = 21.6 (server-everything as measured: 28 MiB private, 41 MiB shared)
    expect(sessionCapacity({ limitBytes: GiB, bridgeRssBytes: 60 * MiB, serverPrivateBytes: 28 * MiB, serverSharedBytes: 41 * MiB })).toBe(21);
  });

  it('when the limit cannot hold even one server, then the cap is still 1 (a pod that serves nobody helps nobody)', () => {
    expect(sessionCapacity({ limitBytes: 128 * MiB, bridgeRssBytes: 60 * MiB, serverPrivateBytes: 65 * MiB })).toBe(1);
  });

  it('when the limit doubles, then the cap more than doubles (the bridge is reserved once)', () => {
    const at = (limit: number) => sessionCapacity({ limitBytes: limit, bridgeRssBytes: 60 * MiB, serverPrivateBytes: 65 * MiB });
    expect(at(4 * GiB)).toBeGreaterThan(2 * at(2 * GiB));
  });

  it('when cgroup files say max, the v1 unlimited value, garbage or a number, then no limit, no limit, no limit, the number', () => {
    expect(parseCgroupMemoryLimit('max\n')).toBeUndefined();
    expect(parseCgroupMemoryLimit('9223372036854771712\n')).toBeUndefined();
    expect(parseCgroupMemoryLimit('nonsense')).toBeUndefined();
    expect(parseCgroupMemoryLimit('536870912\n')).toBe(512 * MiB);
  });

  it('when v2 is mounted it is read first; else v1; a limit at or above the machine\'s memory is none', () => {
    const files = (map: Record<string, string>) => (path: string) => {
      const text = map[path];
      if (text === undefined) throw new Error('ENOENT');
      return text;
    };
    expect(readMemoryLimit(files({ '/sys/fs/cgroup/memory.max': '1073741824', '/sys/fs/cgroup/memory/memory.limit_in_bytes': '5' }), 8 * GiB)).toBe(GiB);
    expect(readMemoryLimit(files({ '/sys/fs/cgroup/memory/memory.limit_in_bytes': '536870912' }), 8 * GiB)).toBe(512 * MiB);
    expect(readMemoryLimit(files({ '/sys/fs/cgroup/memory/memory.limit_in_bytes': String(16 * GiB) }), 8 * GiB)).toBeUndefined();
    expect(readMemoryLimit(files({}), 8 * GiB)).toBeUndefined();
  });

  it('when --max-sessions is given it wins; without a limit, in shared mode or behind the agent, the old 1000', () => {
    expect(capacityMode(7, true, GiB)).toEqual({ kind: 'explicit', max: 7 });
    expect(capacityMode(undefined, true, GiB)).toEqual({ kind: 'memory', limitBytes: GiB });
    expect(capacityMode(undefined, false, GiB)).toEqual({ kind: 'fallback' });
    expect(capacityMode(undefined, true, undefined)).toEqual({ kind: 'fallback' });
    expect(new SessionCapacity({ kind: 'fallback' }).max).toBe(FALLBACK_MAX_SESSIONS);
  });

  it('when servers are measured, then the first replaces the assumption and later ones only raise it', () => {
    const cap = new SessionCapacity({ kind: 'memory', limitBytes: GiB }, () => 60 * MiB);
    const assumed = cap.max;
    cap.observe({ privateBytes: 30 * MiB, sharedBytes: 40 * MiB });
    expect(cap.max).toBeGreaterThan(assumed);
    cap.observe({ privateBytes: 20 * MiB, sharedBytes: 10 * MiB });
    expect(cap.serverPrivateBytes).toBe(30 * MiB);
    expect(cap.serverSharedBytes).toBe(40 * MiB);
    cap.observe({ privateBytes: 130 * MiB, sharedBytes: 0 });
    expect(cap.max).toBe(sessionCapacity({ limitBytes: GiB, bridgeRssBytes: 60 * MiB, serverPrivateBytes: 130 * MiB, serverSharedBytes: 40 * MiB }));
  });

  it('when a process group has two members, then their private and shared memory are summed (VmRSS as private without smaps_rollup); a gone group is undefined', () => {
    const proc = mkdtempSync(join(tmpdir(), 'proc-'));
    const fake = (pid: number, pgrp: number, kb: number, rollup: boolean) => {
      mkdirSync(join(proc, String(pid)));
      writeFileSync(join(proc, String(pid), 'stat'), `${pid} (node (x)) S 1 ${pgrp} ${pgrp} 0 -1`);
      writeFileSync(join(proc, String(pid), 'status'), `Name:\tnode\nVmRSS:\t   ${kb} kB\n`);
      if (rollup) writeFileSync(join(proc, String(pid), 'smaps_rollup'), `Rss: ${kb} kB\nShared_Clean:  ${kb / 2} kB\nShared_Dirty: 0 kB\nPrivate_Clean: 0 kB\nPrivate_Dirty:  ${kb / 2} kB\n`);
    };
    fake(100, 100, 1000, true);
    fake(101, 100, 500, false);
    fake(200, 200, 9999, true);
    expect(processGroupMemory(100, proc)).toEqual({ privateBytes: (500 + 500) * 1024, sharedBytes: 500 * 1024 });
    expect(processGroupMemory(300, proc)).toBeUndefined();
  });
});
