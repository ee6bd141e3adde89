// MCP clients for the e2e: the official TypeScript SDK (Streamable HTTP and legacy SSE) and the official
// Python SDK client in LiteLLM's session-per-call pattern (test/python/litellm_pattern.py).
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../..');
export type Kind = 'http' | 'sse';

export async function connect(baseUrl: string, kind: Kind, name = 'mcp-e2e'): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' });
  const transport = kind === 'http'
    ? new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`))
    // The legacy transport is deprecated in the SDK, and exactly what LiteLLM's older versions use.
    // eslint-disable-next-line @typescript-eslint/no-deprecated
    : new SSEClientTransport(new URL(`${baseUrl}/sse`));
  await client.connect(transport);
  return client;
}

export function textOf(result: unknown): string {
  const content = (result as { content?: { type: string; text?: string }[] }).content ?? [];
  return content.map((c) => c.text ?? '').join('');
}

/** Calls a tool and returns its text; a tool error (isError) throws with the text. */
export async function callText(client: Client, name: string, args: Record<string, unknown>, timeoutMs = 60_000): Promise<string> {
  const result = await client.callTool({ name, arguments: args }, undefined, { timeout: timeoutMs });
  const text = textOf(result);
  if (result.isError === true) throw new Error(`tool ${name} failed: ${text}`);
  return text;
}

export async function toolNames(client: Client): Promise<string[]> {
  return (await client.listTools()).tools.map((t) => t.name).sort();
}

/** One-shot: connect, run `fn`, close (also on failure). */
export async function withClient<T>(baseUrl: string, kind: Kind, fn: (c: Client) => Promise<T>): Promise<T> {
  const client = await connect(baseUrl, kind);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

const PYTHON = join(ROOT, '.venv/bin/python');
export const havePython = () => existsSync(PYTHON);

/** The Python SDK client, LiteLLM's way: a new session per round (initialize, tools/list, echo, close). */
export async function pythonRounds(url: string, kind: Kind, rounds: number): Promise<{ server: string; tools: number; echo: string }[]> {
  const { stdout } = await promisify(execFile)(PYTHON, [join(ROOT, 'test/python/litellm_pattern.py'), url, kind, String(rounds)], { timeout: 120_000 });
  return (JSON.parse(stdout) as { rounds: { server: string; tools: number; echo: string }[] }).rounds;
}

/**
 * fetch with a new TCP connection per request: conntrack pins a kept-alive connection to one pod, so a
 * pooled client would reach one pod whatever the Service does; with this, kube-proxy picks a pod for each
 * request, as for many independent clients.
 */
export function fetchClose(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const headers = new Headers(init?.headers);
  headers.set('connection', 'close');
  return fetch(input, { ...init, headers });
}
