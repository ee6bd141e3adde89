// Which era a new stdio child speaks, asked the way the 2026-07-28 stdio binding recommends: send
// server/discover first. A DiscoverResult naming 2026-07-28 means modern (the bridge passes modern
// requests through as they are); any error means legacy (the bridge initializes it and downgrades).
// A modern child built on the SDK's serveStdio pins its era to the first exchange, so the probe must
// come before anything else, and a probed process is never also initialized.
import { DiscoverResultSchema } from '@modelcontextprotocol/core';
import type { Logger } from 'pino';
import { isResponse, type JsonRpcRequest } from '../jsonrpc.js';
import type { BridgeMetrics } from '../metrics.js';
import type { Upstream } from '../upstream/upstream.js';
import { META, MODERN_VERSIONS } from './envelope.js';
import type { ServerInfo } from './results.js';
import { BRIDGE_CLIENT_INFO } from '../version.js';

const PROBE_ID = 'bridge-discover';

/** What a modern child said about itself. */
export interface Discovered {
  readonly supportedVersions: string[];
  readonly capabilities: Record<string, unknown>;
  readonly serverInfo: ServerInfo;
  readonly instructions?: string;
}

export type ProbeOutcome = { era: 'modern'; discovered: Discovered } | { era: 'legacy' } | { era: 'gone' };

/** The envelope the bridge puts on requests of its own to a modern child. */
export function bridgeEnvelope(capabilities: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return { [META.protocolVersion]: MODERN_VERSIONS[0], [META.clientCapabilities]: capabilities, [META.clientInfo]: BRIDGE_CLIENT_INFO };
}

/**
 * The bridge's own subscriptions/listen on a shared 2026-07-28 child: its list changes, relayed to the
 * 2025-era sessions (which have no listen stream of their own).
 */
export function bridgeListenRequest(): JsonRpcRequest {
  return {
    jsonrpc: '2.0',
    id: 'bridge-listen',
    method: 'subscriptions/listen',
    params: { notifications: { toolsListChanged: true, promptsListChanged: true, resourcesListChanged: true }, _meta: bridgeEnvelope({}) },
  };
}

/**
 * Sends server/discover and waits for its answer (as long as an initialize would be given: a cold
 * npx start can take a while). 'gone' when the process ended first (the caller decides whether the
 * probe was to blame).
 */
export function probeEra(upstream: Upstream, metrics: BridgeMetrics, log: Logger, timeoutMs: number): Promise<ProbeOutcome> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (outcome: ProbeOutcome): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      stop();
      resolve(outcome);
    };
    const timer = setTimeout(() => finish({ era: 'legacy' }), timeoutMs);
    timer.unref();
    void upstream.closed.then(() => finish({ era: 'gone' }));
    const stop = upstream.intercept((message) => {
      if (!isResponse(message) || message.id !== PROBE_ID) return false;
      const parsed = DiscoverResultSchema.safeParse(message.result);
      if (!parsed.success || !parsed.data.supportedVersions.some((v) => MODERN_VERSIONS.includes(v))) {
        log.debug({ error: message.error?.message }, 'server/discover probe: a legacy server');
        finish({ era: 'legacy' });
        return true;
      }
      const result = message.result as Record<string, unknown>;
      const meta = (result._meta ?? {}) as Record<string, unknown>;
      const info = (meta[META.serverInfo] ?? { name: 'unknown', version: 'unknown' }) as ServerInfo;
      log.info({ server: info, supportedVersions: parsed.data.supportedVersions }, 'server/discover probe: a 2026-07-28 server');
      finish({
        era: 'modern',
        discovered: {
          supportedVersions: parsed.data.supportedVersions,
          capabilities: (result.capabilities ?? {}) as Record<string, unknown>,
          serverInfo: info,
          ...(typeof result.instructions === 'string' ? { instructions: result.instructions } : {}),
        },
      });
      return true;
    });
    metrics.countMessage('to_server', 'server/discover');
    upstream.send({ jsonrpc: '2.0', id: PROBE_ID, method: 'server/discover', params: { _meta: bridgeEnvelope({}) } });
  });
}
