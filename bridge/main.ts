#!/usr/bin/env node
// mcp-bridge entry point: the only place that exits or handles signals.
import { readFileSync } from 'node:fs';
import { startBridge } from './bridge.js';
import { ConfigError, HELP, parseConfig } from './config.js';
import { bundledAgentPath, installAgent } from './install-agent.js';
import { createLogger } from './log.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseConfig(process.argv.slice(2), process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`mcp-bridge: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  if (parsed.kind === 'help') {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (parsed.kind === 'version') {
    process.stdout.write(`${version()}\n`);
    return 0;
  }
  const { config } = parsed;
  const log = createLogger(config.logLevel);
  if (config.installAgent !== undefined) {
    await installAgent(bundledAgentPath(process.env), config.installAgent);
    log.info({ path: config.installAgent }, 'stdio agent installed');
  }
  const bridge = await startBridge(config, { log });
  log.info({ url: bridge.url, sseUrl: bridge.sseUrl, port: bridge.port, sessionMode: config.sessionMode }, 'listening');

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  log.info({ signal, inFlight: bridge.hub.inFlight, drainDelaySeconds: config.drainDelay, graceSeconds: config.shutdownGrace }, 'shutting down');
  await bridge.close(config.shutdownGrace * 1000, config.drainDelay * 1000);
  log.info('stopped');
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`mcp-bridge: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
