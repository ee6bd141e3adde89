// Protocol 2026-07-28 through the bridge with the official TypeScript SDK v2 client
// (@modelcontextprotocol/client 2.4, pinned to 2026-07-28), in both session modes, in front of 2025-era
// stdio servers: the fixture and the npm servers everything, filesystem and memory.
import { mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Client } from '@modelcontextprotocol/client';
import type { RunningBridge } from '../../bridge/bridge.js';
import { EVERYTHING, FILESYSTEM, FIXTURE, MEMORY, bridgeFor, until } from './bridge-harness.js';
import { LOG_LEVEL_KEY, MODERN, SERVER_INFO_KEY, modernClient, textOfResult, type WireRecord } from './modern-clients.js';

const MODES = [['per-session'], ['shared']] as const;

describe.each(MODES)('SDK v2 client (2026-07-28) through the bridge, %s mode, fixture server', (mode) => {
  let bridge: RunningBridge;
  let eventsFile: string;
  const clients: Client[] = [];
  const connect = async (options: Parameters<typeof modernClient>[1] = {}): Promise<Client> => {
    const client = await modernClient(bridge.url, options);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    eventsFile = join(mkdtempSync(join(tmpdir(), 'modern-v2-')), 'events.jsonl');
    bridge = await bridgeFor(FIXTURE, ['--session-mode', mode, '--env', `FIXTURE_EVENTS_FILE=${eventsFile}`]);
  });
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
  });
  afterAll(() => bridge.close(0));
  const childEvents = (): { event: string; ms: number; pid: number; requestId: unknown }[] =>
    existsSync(eventsFile) ? readFileSync(eventsFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event: string; ms: number; pid: number; requestId: unknown }) : [];

  it('when the client connects pinned to 2026-07-28, then server/discover offers it with the child capabilities and serverInfo', async () => {
    const client = await connect();
    expect(client.getProtocolEra()).toBe('modern');
    const discovered = client.getDiscoverResult();
    expect(discovered?.supportedVersions).toContain(MODERN);
    expect(discovered?.capabilities.tools).toBeDefined();
    expect(discovered?.capabilities.prompts).toBeDefined();
    expect(discovered?.capabilities.resources).toBeDefined();
    expect(discovered?._meta?.[SERVER_INFO_KEY]).toEqual({ name: 'mcp-sidecar-fixture', version: '1.0.0' });
  });

  it('when tools are listed and called, then the child answers each call', async () => {
    const client = await connect();
    const names = (await client.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['echo', 'slow', 'progress', 'ask_sampling', 'list_changed']));
    const answers = await Promise.all(['a', 'b', 'ü ☃'].map(async (m) => textOfResult(await client.callTool({ name: 'echo', arguments: { message: m } }))));
    expect(answers).toEqual(['a', 'b', 'ü ☃']);
    const failed = await client.callTool({ name: 'test_error_handling', arguments: {} });
    expect(failed.isError).toBe(true);
  });

  it('when resources are listed and read (also through a template), then their contents come back', async () => {
    const client = await connect();
    const uris = (await client.listResources()).resources.map((r) => r.uri);
    expect(uris).toEqual(expect.arrayContaining(['test://static-text', 'test://static-binary']));
    const text = await client.readResource({ uri: 'test://static-text' });
    expect(text.contents[0]).toMatchObject({ uri: 'test://static-text', text: 'This is the content of the static text resource.' });
    const templated = await client.readResource({ uri: 'test://template/42/data' });
    expect(JSON.parse((templated.contents[0] as { text: string }).text)).toMatchObject({ id: '42', templateTest: true });
  });

  it('when a prompt is fetched with arguments, then the child renders it', async () => {
    const client = await connect();
    expect((await client.listPrompts()).prompts.map((p) => p.name)).toContain('test_prompt_with_arguments');
    const prompt = await client.getPrompt({ name: 'test_prompt_with_arguments', arguments: { arg1: 'x', arg2: 'y' } });
    expect(prompt.messages[0]?.content).toEqual({ type: 'text', text: "Prompt with arguments: arg1='x', arg2='y'" });
  });

  it('when a tool reports progress, then every step reaches the caller before the result', async () => {
    const client = await connect();
    const seen: number[] = [];
    const result = await client.callTool({ name: 'progress', arguments: { steps: 4, ms: 20 } }, { onprogress: (p) => seen.push(p.progress) });
    expect(textOfResult(result)).toBe('done 4');
    expect(seen).toEqual([1, 2, 3, 4]);
  });

  it('when the client gives up on a call (closes its response stream), then the child gets notifications/cancelled for it', async () => {
    const client = await connect();
    const abort = new AbortController();
    const call = client.callTool({ name: 'slow', arguments: { ms: 30_000 } }, { signal: abort.signal });
    await until('the slow call reached the child', () => childEvents().some((e) => e.event === 'slow-started' && e.ms === 30_000));
    abort.abort();
    await expect(call).rejects.toThrow();
    await until('the child reported the cancellation', () => childEvents().some((e) => e.event === 'slow-cancelled'));
    const [started] = childEvents().filter((e) => e.event === 'slow-started' && e.ms === 30_000);
    // The cancellation names the id the child knows that call by.
    expect(childEvents().filter((e) => e.event === 'slow-cancelled')).toEqual([{ ...started, event: 'slow-cancelled' }]);
  });

  it('when the child asks for sampling during a call, then the client handler answers an input_required round and the tool gets the answer', async () => {
    const record: WireRecord[] = [];
    const client = await connect({ capabilities: { sampling: {} }, record });
    const prompts: string[] = [];
    client.setRequestHandler('sampling/createMessage', (request) => {
      const content = request.params.messages[0]?.content;
      prompts.push(content !== undefined && 'text' in content ? content.text : '?');
      return { role: 'assistant', content: { type: 'text', text: 'sampled by the v2 client' }, model: 'test-model', stopReason: 'endTurn' };
    });
    const result = await client.callTool({ name: 'ask_sampling', arguments: { prompt: 'tell me' } });
    expect(JSON.parse(textOfResult(result))).toMatchObject({ content: { type: 'text', text: 'sampled by the v2 client' } });
    expect(prompts).toEqual(['tell me']);
    // One round trip more than a plain call: the retry carries inputResponses and the bridge's requestState.
    const calls = record.filter((r) => (r.body as { method?: string } | undefined)?.method === 'tools/call').map((r) => (r.body as { params: Record<string, unknown> }).params);
    expect(calls).toHaveLength(2);
    expect(calls[0]).not.toHaveProperty('inputResponses');
    expect(calls[1]).toHaveProperty('inputResponses');
    expect(typeof calls[1]?.requestState).toBe('string');
  });

  it('when the child asks for elicitation during a call, then the client handler answers and the tool gets the content', async () => {
    const client = await connect({ capabilities: { elicitation: {} } });
    const messages: string[] = [];
    client.setRequestHandler('elicitation/create', (request) => {
      messages.push(request.params.message);
      return { action: 'accept', content: { answer: 'forty-two' } };
    });
    const result = await client.callTool({ name: 'ask_elicitation', arguments: { message: 'what is it?' } });
    expect(JSON.parse(textOfResult(result))).toMatchObject({ action: 'accept', content: { answer: 'forty-two' } });
    expect(messages).toEqual(['what is it?']);
  });

  it('when the client listens for tool changes and the child sends list_changed, then the notification arrives on the subscription', async () => {
    const client = await connect();
    let notified = 0;
    client.setNotificationHandler('notifications/tools/list_changed', () => {
      notified++;
    });
    const subscription = await client.listen({ toolsListChanged: true });
    expect(subscription.honoredFilter).toMatchObject({ toolsListChanged: true });
    await client.callTool({ name: 'list_changed', arguments: {} });
    await until('list_changed delivered', () => notified >= 1);
    expect(notified).toBe(1);
    await subscription.close();
    expect(await subscription.closed).toBe('local');
  });

  it('when a call sets a log level, then only logs at or above it arrive; without a level, none', async () => {
    const client = await connect();
    const logs: string[] = [];
    client.setNotificationHandler('notifications/message', (n) => {
      logs.push(String(n.params.data));
    });
    const levelled = async (level: string | undefined): Promise<string[]> => {
      logs.length = 0;
      const meta = level === undefined ? {} : { _meta: { [LOG_LEVEL_KEY]: level } };
      expect(textOfResult(await client.callTool({ name: 'log_levels', arguments: {}, ...meta }))).toBe('logged 4 levels');
      return [...logs];
    };
    expect(await levelled('warning')).toEqual(['warning', 'error']);
    expect(await levelled('debug')).toEqual(['debug', 'info', 'warning', 'error']);
    expect(await levelled(undefined)).toEqual([]);
    expect(await levelled('error')).toEqual(['error']);
  });
});

describe.each(MODES)('SDK v2 client (2026-07-28) through the bridge, %s mode, npm servers', (mode) => {
  it('when it talks to server-everything, then tools, resources, prompts, progress and sampling work', async () => {
    const bridge = await bridgeFor(EVERYTHING, ['--session-mode', mode]);
    const client = await modernClient(bridge.url, { capabilities: { sampling: {} } });
    client.setRequestHandler('sampling/createMessage', () => ({ role: 'assistant', content: { type: 'text', text: 'everything sampled' }, model: 'test-model', stopReason: 'endTurn' }));
    try {
      expect(client.getDiscoverResult()?._meta?.[SERVER_INFO_KEY]).toMatchObject({ name: 'mcp-servers/everything' });
      expect(textOfResult(await client.callTool({ name: 'echo', arguments: { message: 'hi' } }))).toContain('hi');
      expect(textOfResult(await client.callTool({ name: 'get-sum', arguments: { a: 2, b: 3 } }))).toContain('5');
      const [resource] = (await client.listResources()).resources;
      expect(resource).toBeDefined();
      expect((await client.readResource({ uri: resource?.uri ?? '' })).contents.length).toBeGreaterThan(0);
      expect((await client.getPrompt({ name: 'simple-prompt' })).messages.length).toBeGreaterThan(0);
      const progress: number[] = [];
      await client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 1, steps: 3 } }, { onprogress: (p) => progress.push(p.progress) });
      expect(progress).toHaveLength(3);
      expect(textOfResult(await client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'p', maxTokens: 10 } }))).toContain('everything sampled');
    } finally {
      await client.close();
      await bridge.close(0);
    }
  });

  it('when it talks to server-filesystem, then it writes and reads files in the allowed directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modern-fs-'));
    writeFileSync(join(dir, 'hello.txt'), 'hello from disk');
    const bridge = await bridgeFor(FILESYSTEM(dir), ['--session-mode', mode]);
    const client = await modernClient(bridge.url);
    try {
      expect(textOfResult(await client.callTool({ name: 'read_text_file', arguments: { path: join(dir, 'hello.txt') } }))).toBe('hello from disk');
      await client.callTool({ name: 'write_file', arguments: { path: join(dir, 'new.txt'), content: 'written by v2' } });
      expect(readFileSync(join(dir, 'new.txt'), 'utf8')).toBe('written by v2');
      expect(textOfResult(await client.callTool({ name: 'list_directory', arguments: { path: dir } }))).toContain('new.txt');
    } finally {
      await client.close();
      await bridge.close(0);
    }
  });

  it('when it talks to server-memory, then entities it creates are in the graph', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modern-memory-'));
    const bridge = await bridgeFor(MEMORY, ['--session-mode', mode, '--env', `MEMORY_FILE_PATH=${join(dir, 'memory.jsonl')}`]);
    const client = await modernClient(bridge.url);
    try {
      await client.callTool({ name: 'create_entities', arguments: { entities: [{ name: 'bridge', entityType: 'software', observations: ['speaks 2026-07-28'] }] } });
      expect(textOfResult(await client.callTool({ name: 'search_nodes', arguments: { query: 'bridge' } }))).toContain('speaks 2026-07-28');
      expect((await client.readResource({ uri: 'memory://knowledge-graph' })).contents.length).toBe(1);
    } finally {
      await client.close();
      await bridge.close(0);
    }
  });
});
