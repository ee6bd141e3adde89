// The bridge's own initialize toward a 2025-era stdio server, and the one type of its answer. Two
// senders use it: a warm or worker process is initialized before any router owns it (warm-initialize.ts
// intercepts the answer), the shared process through its RequestRouter (shared-upstream.ts), because
// clients' requests may already be queued behind it. Both send the same request and accept only an
// answer the SDK's schema accepts.
import { InitializeResultSchema, LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import type { JsonRpcRequest } from '../jsonrpc.js';
import type { Discovered } from '../modern/probe.js';
import { BRIDGE_CLIENT_INFO } from '../version.js';

/** A server's answer to initialize, as far as the bridge reads it (the rest is passed on as sent). */
export interface InitializeResult {
  protocolVersion: string;
  capabilities: Record<string, unknown>;
  serverInfo: { name: string; version: string } & Record<string, unknown>;
  instructions?: string;
  [key: string]: unknown;
}

/** The protocol version the bridge asks for in its own initialize. */
export const BRIDGE_PROTOCOL_VERSION = LATEST_PROTOCOL_VERSION;

/** The bridge's initialize request, with the client capabilities it declares on the sessions' behalf. */
export function bridgeInitialize(id: string, capabilities: Readonly<Record<string, unknown>>): JsonRpcRequest {
  return {
    jsonrpc: '2.0',
    id,
    method: 'initialize',
    params: { protocolVersion: BRIDGE_PROTOCOL_VERSION, capabilities: { ...capabilities }, clientInfo: BRIDGE_CLIENT_INFO },
  };
}

/** The answer, when it is an InitializeResult (the SDK's schema); undefined for anything else. */
export function parseInitializeResult(result: unknown): InitializeResult | undefined {
  // The schema is used to check, not to rebuild: the server's answer is kept as sent (unknown keys too),
  // so clients see exactly what the server said.
  return InitializeResultSchema.safeParse(result).success ? (result as InitializeResult) : undefined;
}

/** What a 2025-era client is told in place of initialize when the server speaks 2026-07-28 (server/discover). */
export function initializeFromDiscover(discovered: Discovered): InitializeResult {
  return {
    protocolVersion: BRIDGE_PROTOCOL_VERSION,
    capabilities: discovered.capabilities,
    serverInfo: { ...discovered.serverInfo },
    ...(discovered.instructions !== undefined ? { instructions: discovered.instructions } : {}),
  };
}
