// LiteLLM's proxy (litellm 1.110.2 in .venv, installed by hack/setup.sh) for end-to-end rows: its MCP
// REST endpoint /mcp-rest/tools/call in front of the servers under test, no model configured. Same
// start-up as test/integration/litellm-harness.ts: --port 0, the bound port read from uvicorn's
// "Uvicorn running on ..." line, then /health/liveliness polled until it answers 200.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startProcess } from './proc.mjs';
import { ROOT } from './targets.mjs';

export const LITELLM_BIN = path.join(ROOT, '.venv/bin/litellm');
const KEY = 'sk-bench';

/**
 * entries: { name: { url, protocolVersion? } } → { proc, url, callTool(name, tool, args) }.
 * @param {Record<string, { url: string, protocolVersion?: string }>} entries
 */
export async function startLitellmProxy(entries) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-litellm-'));
  const lines = ['general_settings:', `  master_key: ${JSON.stringify(KEY)}`, 'mcp_servers:'];
  for (const [name, e] of Object.entries(entries)) {
    lines.push(`  ${name}:`, `    url: ${JSON.stringify(e.url)}`, '    transport: "http"');
    if (e.protocolVersion) lines.push(`    protocol_version: ${JSON.stringify(e.protocolVersion)}`);
  }
  writeFileSync(path.join(dir, 'config.yaml'), `${lines.join('\n')}\n`);
  /** @type {number | undefined} */
  let port;
  const watch = (/** @type {string} */ line) => {
    const m = /Uvicorn running on http:\/\/127\.0\.0\.1:(\d+)/.exec(line);
    if (m) port = Number(m[1]);
  };
  const proc = startProcess('litellm', LITELLM_BIN, ['--config', path.join(dir, 'config.yaml'), '--host', '127.0.0.1', '--port', '0'], {
    cwd: dir,
    env: { PATH: process.env.PATH, HOME: dir, LITELLM_LOCAL_MODEL_COST_MAP: 'True', PYTHONUNBUFFERED: '1', NO_COLOR: '1' },
    onStdoutLine: watch,
    onStderrLine: watch,
  });
  const deadline = Date.now() + 180_000;
  const fail = (/** @type {string} */ what) => new Error(`litellm: ${what}\n${proc.tail.join('\n')}`);
  while (port === undefined) {
    if (proc.exited) throw fail(`exited ${JSON.stringify(proc.exited)}`);
    if (Date.now() > deadline) throw fail('did not print its port');
    await sleep(100);
  }
  const url = `http://127.0.0.1:${port}`;
  for (;;) {
    if (proc.exited) throw fail(`exited ${JSON.stringify(proc.exited)}`);
    const res = await fetch(`${url}/health/liveliness`).catch(() => undefined);
    await res?.body?.cancel();
    if (res?.status === 200) break;
    if (Date.now() > deadline) throw fail('/health/liveliness never answered 200');
    await sleep(100);
  }
  return {
    proc,
    url,
    /**
     * @param {string} server the mcp_servers entry
     * @param {string} name the tool
     * @param {object} args
     * @returns {Promise<any>} LiteLLM's answer as parsed
     */
    async callTool(server, name, args) {
      const res = await fetch(`${url}/mcp-rest/tools/call`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ server_id: server, name, arguments: args }),
      });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`LiteLLM tools/call ${server}/${name}: HTTP ${res.status} ${text.slice(0, 300)}`);
      return JSON.parse(text);
    },
  };
}

export const litellmInstalled = () => existsSync(LITELLM_BIN);
