// compose.yaml on a real Docker engine (test/compose/run.sh starts one and loads the images): every sample
// service reached with the official SDK over both transports with a real effect, then `down -v`.
// The project gets its own name and ephemeral host ports (an override file), so it never collides with a
// user's `docker compose up` of the same file.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ROOT, callText, havePython, pythonRounds, toolNames, withClient } from '../e2e/lib/mcp.js';
import { waitFor } from '../lib/wait-for.js';

const run = promisify(execFile);
const tag = randomBytes(4).toString('hex');
const PROJECT = `mcp-compose-test-${tag}`;
const work = mkdtempSync(join(tmpdir(), 'mcp-compose-'));
const dataDir = join(work, 'filesystem');
const override = join(work, 'compose.test.yaml');
const PAGE_TOKEN = `page-${tag}`;

interface Service { image: string; command: string[]; [key: string]: unknown }
const samples = JSON.parse(readFileSync(join(ROOT, 'samples/servers.json'), 'utf8')) as { servers: { name: string; compose?: unknown }[] };
/** The services compose.yaml has for McpServer samples (servers.json entries with a "compose" part). */
const SERVERS = samples.servers.filter((s) => s.compose !== undefined).map((s) => s.name);

async function compose(args: string[], timeoutMs = 120_000): Promise<string> {
  const { stdout } = await run('docker', ['compose', '-p', PROJECT, '-f', join(ROOT, 'compose.yaml'), '-f', override, ...args], {
    cwd: ROOT,
    timeout: timeoutMs,
    maxBuffer: 16 * 1024 * 1024,
    env: { ...process.env, MCP_FILESYSTEM_DATA: dataDir },
  });
  return stdout;
}

async function docker(args: string[]): Promise<string> {
  return (await run('docker', args, { timeout: 60_000 })).stdout;
}

/** Where the service's bridge port is published on the host (the override asks for an ephemeral port). */
async function baseUrl(service: string): Promise<string> {
  const hostPort = (await compose(['port', service, '8080'])).trim();
  if (!/^127\.0\.0\.1:\d+$/.test(hostPort)) throw new Error(`${service}: unexpected published address '${hostPort}'`);
  return `http://${hostPort}`;
}

/**
 * The test's additions: ephemeral ports instead of 8501.. (no fixed ports in tests), a small web server
 * for fetch to read, and `fetch-private`, the fetch sample allowed to reach private addresses (like the
 * e2e's separate McpServer: the sample itself refuses them, which is tested too).
 */
function writeOverride(): void {
  const services = (JSON.parse(
    // The generator's own model of compose.yaml, so the copy of `fetch` is exactly the sample's.
    readFileSync(join(work, 'model.json'), 'utf8'),
  ) as { services: Record<string, Service> }).services;
  const fetch = services.fetch;
  if (fetch === undefined) throw new Error('compose.yaml has no fetch service');
  const fetchPrivate = { ...fetch, command: [...fetch.command, '--allow-private-ips'], ports: ['127.0.0.1::8080'] };
  const web = {
    image: fetch.image,
    entrypoint: ['node', '-e', "require('http').createServer((q, r) => { r.setHeader('content-type', 'text/html'); r.end('<html><body><h1>Compose test page</h1><p>' + process.env.PAGE_TOKEN + '</p></body></html>'); }).listen(8000); process.on('SIGTERM', () => process.exit(0));"],
    environment: { PAGE_TOKEN },
    user: '65532:65532',
    read_only: true,
  };
  const lines = ['services:'];
  for (const name of SERVERS) lines.push(`  ${name}:`, `    ports: !override ["127.0.0.1::8080"]`);
  lines.push('  prometheus:', '    ports: !override ["127.0.0.1::9090"]');
  lines.push(`  fetch-private: ${JSON.stringify(fetchPrivate)}`, `  web: ${JSON.stringify(web)}`);
  writeFileSync(override, lines.join('\n') + '\n');
}

let down = false;

beforeAll(async () => {
  await docker(['version']).catch((e: unknown) => {
    throw new Error(`no Docker engine answers (run test/compose/run.sh, which starts one): ${String(e)}`);
  });
  const { stdout } = await run(process.execPath, [join(ROOT, 'hack/run-ts.mjs'), join(ROOT, 'samples/generate.ts'), '--compose-json']);
  writeFileSync(join(work, 'model.json'), stdout);
  writeOverride();
  await compose(['up', '-d', '--wait', '--wait-timeout', '300'], 360_000);
}, 400_000);

afterAll(async () => {
  if (!down) await compose(['down', '-v', '--timeout', '10']).catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
}, 120_000);

describe('docker compose up', () => {
  it('when up --wait returns, then every sample service is running and healthy by its /readyz check', async () => {
    const ps = (await compose(['ps', '--format', 'json'])).trim().split('\n').map((l) => JSON.parse(l) as { Service: string; State: string; Health: string });
    for (const name of [...SERVERS, 'postgres-db', 'prometheus']) {
      expect({ name, state: ps.find((p) => p.Service === name)?.State, health: ps.find((p) => p.Service === name)?.Health })
        .toEqual({ name, state: 'running', health: 'healthy' });
    }
    const health = JSON.parse(await docker(['inspect', '--format', '{{json .Config.Healthcheck.Test}}', `${PROJECT}-everything-1`])) as string[];
    expect(health.join(' ')).toContain('/readyz');
  });
});

describe('filesystem (per-session, bind-mounted folder)', () => {
  it('when a client writes a file over Streamable HTTP, then another reads it over SSE and it is in the host folder', async () => {
    const url = await baseUrl('filesystem');
    await withClient(url, 'http', async (c) => {
      expect(await toolNames(c)).toEqual(expect.arrayContaining(['write_file', 'read_text_file']));
      await callText(c, 'write_file', { path: `/data/compose-${tag}.txt`, content: `hello ${tag}` });
    });
    await withClient(url, 'sse', async (c) => {
      expect(await callText(c, 'read_text_file', { path: `/data/compose-${tag}.txt` })).toBe(`hello ${tag}`);
    });
    expect(readFileSync(join(dataDir, `compose-${tag}.txt`), 'utf8')).toBe(`hello ${tag}`);
  }, 120_000);
});

describe('memory (shared, named volume)', () => {
  it('when one session stores an entity, then another finds it, also after the container is restarted', async () => {
    const url = await baseUrl('memory');
    const entity = `compose-${tag}`;
    await withClient(url, 'sse', (c) => callText(c, 'create_entities', { entities: [{ name: entity, entityType: 'test', observations: [`stored by ${tag}`] }] }));
    expect(await withClient(url, 'http', (c) => callText(c, 'search_nodes', { query: entity }))).toContain(`stored by ${tag}`);
    await compose(['restart', 'memory']);
    await compose(['up', '-d', '--wait', '--wait-timeout', '120', 'memory'], 180_000);
    expect(await withClient(await baseUrl('memory'), 'http', (c) => callText(c, 'search_nodes', { query: entity }))).toContain(`stored by ${tag}`);
  }, 240_000);
});

describe('everything (shared)', () => {
  it('when the TypeScript SDK calls echo over both transports, then it gets its message back', async () => {
    const url = await baseUrl('everything');
    for (const kind of ['http', 'sse'] as const) {
      expect(await withClient(url, kind, (c) => callText(c, 'echo', { message: `${kind}-${tag}` }))).toContain(`${kind}-${tag}`);
    }
  }, 120_000);

  it('when the Python SDK client opens a session per call (LiteLLM), then every round works', async () => {
    if (!havePython()) throw new Error('.venv/bin/python is missing: run hack/setup.sh');
    const rounds = await pythonRounds(`${await baseUrl('everything')}/mcp`, 'http', 3);
    expect(rounds).toHaveLength(3);
    for (const r of rounds) expect(r.tools).toBeGreaterThan(5);
  }, 120_000);
});

describe('fetch (Python mcp-server-fetch) and a web server added by the test', () => {
  const page = 'http://web:8000/page.html';

  it('when the sample is asked for a page on the Compose network, then it refuses (private addresses are off by default)', async () => {
    await withClient(await baseUrl('fetch'), 'http', async (c) => {
      await expect(callText(c, 'fetch', { url: page, raw: true })).rejects.toThrow(/not a public address/);
    });
  }, 120_000);

  it('when started with --allow-private-ips, then it fetches the page over both transports', async () => {
    const url = await baseUrl('fetch-private');
    for (const kind of ['http', 'sse'] as const) {
      expect(await withClient(url, kind, (c) => callText(c, 'fetch', { url: page, raw: true }))).toContain(PAGE_TOKEN);
    }
  }, 120_000);
});

describe('postgres (npm server-postgres against the postgres-db service)', () => {
  it('when a client queries the seeded table over both transports, then it gets the rows', async () => {
    const url = await baseUrl('postgres');
    for (const kind of ['http', 'sse'] as const) {
      const text = await withClient(url, kind, (c) => callText(c, 'query', { sql: 'SELECT name FROM mcp_servers ORDER BY name' }));
      expect((JSON.parse(text) as { name: string }[]).map((r) => r.name)).toEqual(['everything', 'fetch', 'filesystem', 'memory', 'postgres']);
    }
  }, 120_000);
});

describe('monitoring (prometheus-mcp-server) against the prometheus service', () => {
  it('when asked which bridges Prometheus scrapes, then every sample service is up, from the generated static config', async () => {
    const url = await baseUrl('monitoring');
    const up = await waitFor('every bridge up in Prometheus', async () => {
      const text = await withClient(url, 'http', (c) => callText(c, 'execute_query', { query: 'up{job="mcp-bridges"} == 1' }));
      const services = (JSON.parse(text) as { result: { metric: { service?: string } }[] }).result.map((r) => r.metric.service ?? '');
      return SERVERS.every((n) => services.includes(n)) ? services : undefined;
    }, { timeoutMs: 60_000, intervalMs: 2000 });
    expect(up.sort()).toEqual([...SERVERS].sort());
  }, 120_000);
});

describe('docker compose down -v', () => {
  it('when the project is taken down, then no container, volume or network of it is left', async () => {
    await compose(['down', '-v', '--timeout', '30'], 180_000);
    down = true;
    const label = `label=com.docker.compose.project=${PROJECT}`;
    expect((await docker(['ps', '-a', '-q', '--filter', label])).trim()).toBe('');
    expect((await docker(['volume', 'ls', '-q', '--filter', label])).trim()).toBe('');
    expect((await docker(['network', 'ls', '-q', '--filter', label])).trim()).toBe('');
    expect(existsSync(join(dataDir, `compose-${tag}.txt`))).toBe(true);
  }, 240_000);
});
