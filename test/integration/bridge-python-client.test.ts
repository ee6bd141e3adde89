// The official Python SDK client (PyPI `mcp`, installed into .venv by hack/setup.sh) with a new session
// for every operation, closed right after, over both transports. LiteLLM itself, the client this
// pattern comes from, is driven in litellm.test.ts.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FIXTURE, ROOT, bridgeFor, childPids, until } from './bridge-harness.js';

const run = promisify(execFile);
const PYTHON = join(ROOT, '.venv/bin/python');

async function litellm(url: string, kind: 'http' | 'sse', rounds: number): Promise<{ server: string; tools: number; echo: string }[]> {
  if (!existsSync(PYTHON)) throw new Error('.venv is missing: run hack/setup.sh (it installs the Python MCP client)');
  const { stdout } = await run(PYTHON, [join(ROOT, 'test/python/litellm_pattern.py'), url, kind, String(rounds)], { timeout: 120_000 });
  return (JSON.parse(stdout) as { rounds: { server: string; tools: number; echo: string }[] }).rounds;
}

describe('the Python MCP client in LiteLLM pattern', () => {
  it('when it opens a session per call over Streamable HTTP, then every call is answered and no session or process is left', async () => {
    const bridge = await bridgeFor(FIXTURE);
    const rounds = await litellm(bridge.url, 'http', 5);
    expect(rounds.map((r) => r.echo)).toEqual(['round-0', 'round-1', 'round-2', 'round-3', 'round-4']);
    expect(rounds[0]?.server).toBe('mcp-sidecar-fixture');
    // The Python client sends DELETE on close: sessions end at once, not at the idle timeout.
    expect(bridge.hub.size).toBe(0);
    await until('no server process left', () => childPids().length === 0);
    await bridge.close(0);
  }, 60_000);

  it('when it uses the legacy SSE transport, then calls are answered and sessions end with the stream', async () => {
    const bridge = await bridgeFor(FIXTURE);
    const rounds = await litellm(bridge.sseUrl, 'sse', 3);
    expect(rounds.map((r) => r.echo)).toEqual(['round-0', 'round-1', 'round-2']);
    await until('sessions ended', () => bridge.hub.size === 0);
    await until('no server process left', () => childPids().length === 0);
    await bridge.close(0);
  }, 60_000);
});
