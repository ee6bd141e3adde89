// No cluster needed: samples/k8s/ is generated from samples/servers.json, the one source of the per-server settings.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');

describe('the samples', () => {
  it('when generated again from samples/servers.json, then nothing in samples/k8s/ changes', () => {
    execFileSync(process.execPath, [join(ROOT, 'hack/run-ts.mjs'), join(ROOT, 'samples/generate.ts'), '--check'], { stdio: 'pipe' });
  });

  it('when the McpServers are read, then each one sets a command, and stdio ones a session mode', () => {
    const { servers } = JSON.parse(readFileSync(join(ROOT, 'samples/servers.json'), 'utf8')) as {
      servers: { name: string; command?: string[]; transport?: string; sessions?: { mode?: string } }[];
    };
    expect(servers.length).toBeGreaterThanOrEqual(7);
    for (const s of servers) {
      expect(s.command?.length ?? 0).toBeGreaterThan(0);
      if (s.transport !== 'streamable-http') expect(['perSession', 'shared']).toContain(s.sessions?.mode);
    }
  });
});
