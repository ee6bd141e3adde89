#!/usr/bin/env node
// mcp-operator: the only place that reads process.argv/env, handles signals and exits.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { pino } from 'pino';
import { ConfigError, parseConfig } from './config.js';
import { loadKubeConfig } from './kube/kube-client.js';
import { Operator } from './operator.js';

async function main(): Promise<number> {
  let config;
  try {
    config = parseConfig(process.argv.slice(2), process.env, {
      identity: process.env.POD_NAME ?? `${hostname()}_${String(process.pid)}`,
      ...(process.env.POD_NAMESPACE === undefined ? {} : { leaderElectionNamespace: process.env.POD_NAMESPACE, operatorNamespace: process.env.POD_NAMESPACE }),
    });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const log = pino({ level: config.logLevel, base: { component: 'mcp-operator', identity: config.identity } });
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  const operator = new Operator(config, loadKubeConfig(), log, { defaultMetrics: true, version: pkg.version });

  const shutdown = new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  await operator.start();
  const reason = await Promise.race([shutdown, operator.lostLeadership.then(() => 'lost-leadership')]);
  log.info({ reason }, 'shutting down');
  await operator.stop();
  return reason === 'lost-leadership' ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`mcp-operator: fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
