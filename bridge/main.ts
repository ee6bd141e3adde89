#!/usr/bin/env node
// mcp-bridge entry point: the only place that exits or handles signals.
import { startBridge, tracingOptions } from './bridge.js';
import { ConfigError, HELP, parseConfig } from './config.js';
import { DataLockError, holdDataLocks } from './data-lock.js';
import { listenDrainSocket } from './drain-socket.js';
import { bundledAgentPath, installAgent } from './install-agent.js';
import { createLogger, identityFields } from './log.js';
import { startTracing } from './telemetry/tracing.js';
import { bridgeVersion } from './version.js';

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
    process.stdout.write(`${bridgeVersion()}\n`);
    return 0;
  }
  const { config } = parsed;
  // Tracing first (only when OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT is set), so every log line of a
  // request can carry its trace_id/span_id.
  const tracing = config.otlpTracesUrl !== undefined ? await startTracing(tracingOptions(config)) : undefined;
  const log = createLogger(config.logLevel, identityFields(config), tracing !== undefined ? () => tracing.logFields() : undefined);
  if (config.installAgent !== undefined) {
    await installAgent(bundledAgentPath(process.env), config.installAgent);
    log.info({ path: config.installAgent }, 'stdio agent installed');
  }
  const stopping = new AbortController();
  const stopped = new Promise<NodeJS.Signals>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      stopping.abort();
      resolve(signal);
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  // Single-writer data: nothing listens or runs until the pod before this one has let go (data-lock.ts).
  let locks;
  try {
    locks = await holdDataLocks(config.dataLock, { waiting: (dir) => log.info({ dir }, 'waiting for the data lock: another process (the pod before this one) still runs this server on its data') }, stopping.signal);
  } catch (err) {
    if (stopping.signal.aborted) {
      log.info('stopped while waiting for the data lock');
      return 0;
    }
    if (!(err instanceof DataLockError)) throw err;
    process.stderr.write(`mcp-bridge: ${err.message}\n`);
    return 1;
  }
  if (config.dataLock.length > 0) log.info({ dirs: config.dataLock }, 'data lock held');
  const bridge = await startBridge(config, { log, ...(tracing !== undefined ? { tracing } : {}) });
  log.info({ url: bridge.url, sseUrl: bridge.sseUrl, port: bridge.port, sessionMode: config.sessionMode }, 'listening');

  // A preStop hook may ask for the drain before the signal comes (drain-socket.ts says why).
  const drainSocket = config.drainSocket !== undefined ? await listenDrainSocket(config.drainSocket) : undefined;
  const cause = await Promise.race([stopped, drainSocket?.requested.then(() => 'drain socket' as const) ?? new Promise<never>(() => undefined)]);
  log.info({ cause, inFlight: bridge.hub.inFlight, drainDelaySeconds: config.drainDelay, graceSeconds: config.shutdownGrace }, 'shutting down');
  await bridge.close(config.shutdownGrace * 1000, config.drainDelay * 1000);
  drainSocket?.drained();
  if (cause === 'drain socket') {
    // Drained, port closed; the process stays until its own signal: the kubelet decides when a native
    // sidecar stops (after the server container), and the data locks must outlive the server processes.
    log.info('drained on request; waiting for the signal to stop');
    await stopped;
  }
  await drainSocket?.close();
  // The spans of the last requests are still buffered: export them before the process ends. A
  // collector that is down costs those spans, not the bridge's clean exit.
  await tracing?.shutdown().catch((err: unknown) => log.warn({ err: err instanceof Error ? err.message : String(err) }, 'spans not exported at shutdown: the OTLP endpoint did not take them'));
  // Only now: every server process of this bridge has stopped writing.
  await Promise.all(locks.map((l) => l.release()));
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
