// What one MCP probe of a server found: plain data, produced by mcp-probe.ts, reported by status/.

/** How the server answered: `server/discover` (2026-07-28 and later) or the 2025-era `initialize` handshake. */
export type ProbeMethod = 'discover' | 'initialize';

export type ProbeFailureReason =
  /** No HTTP answer: connection refused or reset, timeout. */
  | 'Unreachable'
  /** An HTTP answer that is MCP-shaped but not a success: 401/403, 5xx, a JSON-RPC error to initialize. */
  | 'ProbeFailed'
  /** An HTTP answer that is not MCP at all (no JSON-RPC response to either probe). */
  | 'NotAnMcpServer';

export type ProbeResult =
  | {
      ok: true;
      method: ProbeMethod;
      /** serverInfo as the server reports it (self-reported, for display only). */
      name?: string;
      version?: string;
      /** server/discover: supportedVersions; initialize: the version negotiated. */
      protocolVersions: string[];
    }
  | { ok: false; reason: ProbeFailureReason; message: string };
