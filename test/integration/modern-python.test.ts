// Protocol 2026-07-28 through the bridge with the official Python SDK 2.x client (PyPI `mcp` 2.3.0,
// test/python/modern_client.py): `mcp.Client(url)` in its default mode ("auto"), which probes
// server/discover and stays on 2026-07-28 when the bridge answers it. Both session modes, in front of
// the fixture and the npm servers. One Python process per plan (its start-up is the slow part).
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVERYTHING, FILESYSTEM, FIXTURE, MEMORY, bridgeFor } from './bridge-harness.js';
import { MODERN, pythonClient } from './modern-clients.js';

const MODES = [['per-session'], ['shared']] as const;

describe.each(MODES)('Python SDK 2.x client through the bridge, %s mode', (mode) => {
  it('when it runs against the fixture, then it negotiates 2026-07-28 and tools, progress, MRTR, log levels, resources, prompts and listen work', async () => {
    const bridge = await bridgeFor(FIXTURE, ['--session-mode', mode]);
    try {
      const run = await pythonClient(bridge.url, [
        { op: 'list_tools' },
        { op: 'call_tool', name: 'echo', arguments: { message: 'from python' } },
        { op: 'call_tool', name: 'progress', arguments: { steps: 3, ms: 20 } },
        { op: 'call_tool', name: 'ask_sampling', arguments: { prompt: 'python prompt' } },
        { op: 'call_tool', name: 'ask_elicitation', arguments: { message: 'python question' } },
        { op: 'call_tool', name: 'log_levels', arguments: {}, log_level: 'warning' },
        { op: 'call_tool', name: 'log_levels', arguments: {} },
        { op: 'read_resource', uri: 'test://static-text' },
        { op: 'get_prompt', name: 'test_prompt_with_arguments', arguments: { arg1: 'p', arg2: 'q' } },
        { op: 'listen_tools', trigger: { name: 'list_changed', arguments: {} } },
      ]);
      expect({ version: run.protocol_version, server: run.server }).toEqual({ version: MODERN, server: 'mcp-sidecar-fixture' });
      const [tools, echo, progress, sampling, elicitation, warnings, silent, resource, prompt, listen] = run.results;
      expect(tools?.tools).toEqual(expect.arrayContaining(['echo', 'ask_sampling', 'log_levels']));
      expect(echo).toMatchObject({ text: 'from python', is_error: false });
      expect(progress).toMatchObject({ text: 'done 3', progress: [1, 2, 3] });
      expect(JSON.parse(String(sampling?.text))).toMatchObject({ content: { type: 'text', text: 'python says hi' } });
      expect(JSON.parse(String(elicitation?.text))).toMatchObject({ action: 'accept', content: { answer: 'from python' } });
      expect({ sampling: run.sampling, elicitation: run.elicitation }).toEqual({ sampling: ['python prompt'], elicitation: ['python question'] });
      expect(warnings?.logs).toEqual(['warning:warning', 'error:error']);
      expect(silent?.logs).toEqual([]);
      expect(resource).toEqual({ texts: ['This is the content of the static text resource.'] });
      expect(prompt).toEqual({ texts: ["Prompt with arguments: arg1='p', arg2='q'"] });
      expect(listen).toEqual({ honored: { toolsListChanged: true }, event: 'ToolsListChanged' });
    } finally {
      await bridge.close(0);
    }
  });

  it('when it runs against server-everything, then echo, sums, sampling through MRTR and prompts work', async () => {
    const bridge = await bridgeFor(EVERYTHING, ['--session-mode', mode]);
    try {
      const run = await pythonClient(bridge.url, [
        { op: 'call_tool', name: 'echo', arguments: { message: 'py' } },
        { op: 'call_tool', name: 'get-sum', arguments: { a: 20, b: 22 } },
        { op: 'call_tool', name: 'trigger-sampling-request', arguments: { prompt: 'everything asks', maxTokens: 10 } },
        { op: 'get_prompt', name: 'simple-prompt', arguments: {} },
        { op: 'list_resources' },
      ]);
      expect({ version: run.protocol_version, server: run.server }).toEqual({ version: MODERN, server: 'mcp-servers/everything' });
      const [echo, sum, sampled, prompt, resources] = run.results;
      expect(String(echo?.text)).toContain('py');
      expect(String(sum?.text)).toContain('42');
      expect(String(sampled?.text)).toContain('python says hi');
      expect(run.sampling).toEqual([expect.stringContaining('everything asks')]);
      expect((prompt?.texts as string[]).length).toBeGreaterThan(0);
      expect((resources?.uris as string[]).length).toBeGreaterThan(0);
    } finally {
      await bridge.close(0);
    }
  });

  it('when it runs against server-filesystem and server-memory, then files and entities round-trip', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'modern-py-'));
    writeFileSync(join(dir, 'in.txt'), 'python reads this');
    const fs = await bridgeFor(FILESYSTEM(dir), ['--session-mode', mode]);
    const memory = await bridgeFor(MEMORY, ['--session-mode', mode, '--env', `MEMORY_FILE_PATH=${join(dir, 'memory.jsonl')}`]);
    try {
      const [files, graph] = await Promise.all([
        pythonClient(fs.url, [
          { op: 'call_tool', name: 'read_text_file', arguments: { path: join(dir, 'in.txt') } },
          { op: 'call_tool', name: 'write_file', arguments: { path: join(dir, 'out.txt'), content: 'python wrote this' } },
        ]),
        pythonClient(memory.url, [
          { op: 'call_tool', name: 'create_entities', arguments: { entities: [{ name: 'snake', entityType: 'animal', observations: ['speaks python'] }] } },
          { op: 'call_tool', name: 'search_nodes', arguments: { query: 'snake' } },
        ]),
      ]);
      expect([files.protocol_version, graph.protocol_version]).toEqual([MODERN, MODERN]);
      expect(files.results[0]).toMatchObject({ text: 'python reads this', is_error: false });
      expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('python wrote this');
      expect(String(graph.results[1]?.text)).toContain('speaks python');
    } finally {
      await Promise.all([fs.close(0), memory.close(0)]);
    }
  });
});
