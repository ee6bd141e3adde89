// LiteLLM's proxy (litellm 1.110.2 from PyPI, in .venv) as a real client of the bridge: its MCP REST
// endpoints list and call tools of stdio servers behind the bridge, in both session modes, with the
// upstream protocol left at LiteLLM's default ("auto": a 2025-era session per operation) and set to
// "2026-07-28" (modern: no initialize, no session, the version on every request). A recording relay
// between LiteLLM and each bridge shows what LiteLLM sent. LITELLM_TRACE_FILE=<path> writes every
// recorded exchange there as JSON lines.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningBridge } from '../../bridge/bridge.js';
import { EVERYTHING, FIXTURE, MEMORY, bridgeFor, until } from './bridge-harness.js';
import { recordingRelay, startLitellm, textOfResult, type Exchange, type RecordingRelay, type RunningLitellm, type UpstreamEntry } from './litellm-harness.js';

const MODES = ['per-session', 'shared'] as const;
type Mode = (typeof MODES)[number];
const ERAS = [
  { era: 'legacy', label: 'protocol_version left out ("auto")', protocolVersion: undefined },
  { era: 'modern', label: 'protocol_version "2026-07-28"', protocolVersion: '2026-07-28' },
] as const;
type Era = (typeof ERAS)[number]['era'];
const SERVERS = { fixture: FIXTURE, everything: EVERYTHING, memory: MEMORY } as const;
type ServerKind = keyof typeof SERVERS;

interface Upstream {
  readonly bridge: RunningBridge;
  readonly relays: Record<Era, RecordingRelay>;
}

const memoryDir = mkdtempSync(join(tmpdir(), 'litellm-memory-'));
const memoryFile = (mode: Mode): string => join(memoryDir, `${mode}.jsonl`);
/** The LiteLLM server name (server_id in its REST API) of one bridge seen in one era. */
const serverId = (kind: ServerKind, mode: Mode, era: Era): string => `${kind}_${mode === 'shared' ? 'shared' : 'persession'}_${era}`;

const upstreams = new Map<string, Upstream>();
const upstream = (kind: ServerKind, mode: Mode): Upstream => {
  const u = upstreams.get(`${kind}/${mode}`);
  if (u === undefined) throw new Error(`no upstream ${kind}/${mode}: beforeAll failed`);
  return u;
};
let litellm: RunningLitellm | undefined;
const proxy = (): RunningLitellm => {
  if (litellm === undefined) throw new Error('LiteLLM did not start: see beforeAll');
  return litellm;
};

beforeAll(async () => {
  const entries: Record<string, UpstreamEntry> = {};
  for (const mode of MODES) {
    for (const [kind, command] of Object.entries(SERVERS) as [ServerKind, string[]][]) {
      const flags = ['--session-mode', mode, ...(kind === 'memory' ? ['--env', `MEMORY_FILE_PATH=${memoryFile(mode)}`] : [])];
      const bridge = await bridgeFor(command, flags);
      const origin = bridge.url.replace(/\/mcp$/, '');
      const relays = { legacy: await recordingRelay(origin), modern: await recordingRelay(origin) };
      upstreams.set(`${kind}/${mode}`, { bridge, relays });
      for (const { era, protocolVersion } of ERAS) {
        entries[serverId(kind, mode, era)] = { url: `${relays[era].url}/mcp`, relay: relays[era], ...(protocolVersion === undefined ? {} : { protocolVersion }) };
      }
    }
  }
  litellm = await startLitellm(entries);
}, 180_000);

afterAll(async () => {
  const trace = process.env.LITELLM_TRACE_FILE;
  if (trace !== undefined) {
    const lines = [...upstreams.entries()].flatMap(([name, u]) =>
      (Object.entries(u.relays) as [Era, RecordingRelay][]).flatMap(([era, r]) => r.exchanges.map((e) => JSON.stringify({ upstream: name, era, ...e }))),
    );
    writeFileSync(trace, `${lines.join('\n')}\n`);
  }
  await litellm?.close();
  for (const u of upstreams.values()) {
    await u.relays.legacy.close();
    await u.relays.modern.close();
    await u.bridge.close(0);
  }
}, 60_000);

const posts = (exchanges: Exchange[]): { headers: Record<string, string>; message: { id?: unknown; method?: string; params?: Record<string, unknown> } }[] =>
  exchanges.filter((e) => e.method === 'POST').map((e) => ({ headers: e.headers, message: e.body as { method?: string; params?: Record<string, unknown> } }));

describe.each(MODES)('LiteLLM 1.110.2 through the bridge, --session-mode %s', (mode) => {
  describe.each(ERAS)('$era: $label', ({ era }) => {
    it('when LiteLLM lists the fixture server\'s tools, then it gets the whole list from the bridge', async () => {
      const names = await proxy().listTools(serverId('fixture', mode, era));
      expect(names).toEqual(expect.arrayContaining(['echo', 'slow', 'whoami', 'test_simple_text']));
    });

    it('when LiteLLM calls the fixture\'s echo, then the message comes back as a complete result', async () => {
      const result = await proxy().callTool(serverId('fixture', mode, era), 'echo', { message: `hello ${mode} ${era}` });
      expect(result.isError).not.toBe(true);
      expect(textOfResult(result)).toBe(`hello ${mode} ${era}`);
    });

    it('when LiteLLM calls server-everything\'s echo and get-sum, then it gets the echo and the sum', async () => {
      const id = serverId('everything', mode, era);
      expect(await proxy().listTools(id)).toEqual(expect.arrayContaining(['echo', 'get-sum']));
      expect(textOfResult(await proxy().callTool(id, 'echo', { message: `via LiteLLM ${era}` }))).toBe(`Echo: via LiteLLM ${era}`);
      expect(textOfResult(await proxy().callTool(id, 'get-sum', { a: 2, b: 40 }))).toContain('42');
    });

    it('when LiteLLM stores an entity in server-memory, then a later call finds it and it is on disk', async () => {
      const id = serverId('memory', mode, era);
      const name = `Ada-${mode}-${era}`;
      const created = await proxy().callTool(id, 'create_entities', { entities: [{ name, entityType: 'person', observations: [`wrote the first program (${era})`] }] });
      expect(created.isError).not.toBe(true);
      const found = textOfResult(await proxy().callTool(id, 'search_nodes', { query: name }));
      expect(found).toContain(`wrote the first program (${era})`);
      expect(readFileSync(memoryFile(mode), 'utf8')).toContain(name);
    });

    if (era === 'legacy') {
      it('when LiteLLM calls a tool, then it used one 2025 session (initialize … DELETE) and left no session behind', async () => {
        const { bridge, relays } = upstream('fixture', mode);
        relays.legacy.exchanges.length = 0;
        await proxy().callTool(serverId('fixture', mode, era), 'echo', { message: 'one session' });
        const sent = posts(relays.legacy.exchanges);
        const initializes = sent.filter((p) => p.message.method === 'initialize');
        expect(initializes).toHaveLength(1);
        expect(initializes[0]?.message.params).toMatchObject({ protocolVersion: '2025-11-25' });
        const sessionId = relays.legacy.exchanges.find((e) => e.responseSessionId !== undefined)?.responseSessionId;
        expect(sessionId).toBeDefined();
        expect(sent.map((p) => p.message.method)).toEqual(expect.arrayContaining(['initialize', 'notifications/initialized', 'tools/call']));
        expect(relays.legacy.exchanges.filter((e) => e.method === 'DELETE').map((e) => e.headers['mcp-session-id'])).toEqual([sessionId]);
        await until('the bridge to hold no session', () => bridge.hub.size === 0);
      });
    } else {
      it('when LiteLLM calls a tool, then every request was modern: no initialize, no session, version and method in headers and _meta', async () => {
        const { bridge, relays } = upstream('fixture', mode);
        relays.modern.exchanges.length = 0;
        const result = await proxy().callTool(serverId('fixture', mode, era), 'echo', { message: 'sessionless' });
        expect(textOfResult(result)).toBe('sessionless');
        const exchanges = relays.modern.exchanges;
        expect(exchanges.filter((e) => e.method !== 'POST')).toEqual([]);
        expect(exchanges.filter((e) => e.headers['mcp-session-id'] !== undefined)).toEqual([]);
        const sent = posts(exchanges);
        expect(sent.map((p) => p.message.method)).not.toContain('initialize');
        expect(sent.map((p) => p.message.method)).toContain('tools/call');
        for (const { headers, message } of sent) {
          expect(headers['mcp-protocol-version']).toBe('2026-07-28');
          expect(headers['mcp-method']).toBe(message.method);
          expect(message.params?._meta).toMatchObject({ 'io.modelcontextprotocol/protocolVersion': '2026-07-28' });
          if (message.method === 'tools/call') expect(headers['mcp-name']).toBe(message.params?.name);
        }
        expect(exchanges.every((e) => e.status === 200)).toBe(true);
        await until('the bridge to hold no session', () => bridge.hub.size === 0);
      });
    }

    it('when LiteLLM makes 12 tool calls at once (each on its own client, so with the same JSON-RPC ids), then every call gets its own answer', async () => {
      const id = serverId('fixture', mode, era);
      const messages = Array.from({ length: 12 }, (_, i) => `concurrent-${era}-${i}`);
      const answers = await Promise.all(messages.map(async (message) => textOfResult(await proxy().callTool(id, 'echo', { message }))));
      expect(answers).toEqual(messages);
    });
  });
});
