// Structured JSON logs (pino) to stdout, one line per event. Every line names the McpServer and its
// namespace (when the operator told the bridge); sessions log through child loggers with their
// sessionId; with tracing on, a line emitted while a request is handled carries its trace_id/span_id.
import { pino, type Logger } from 'pino';
import type { BridgeConfig } from './config.js';

export function createLogger(level: string, base: Record<string, unknown> = {}, traceFields?: () => Record<string, string>): Logger {
  return pino({
    level,
    base: { component: 'mcp-bridge', ...base },
    timestamp: pino.stdTimeFunctions.isoTime,
    ...(traceFields !== undefined ? { mixin: traceFields } : {}),
  });
}

/** mcpServer/namespace fields of every line (absent when not set). */
export function identityFields(config: Pick<BridgeConfig, 'mcpServerName' | 'mcpServerNamespace'>): Record<string, string> {
  return {
    ...(config.mcpServerName !== undefined ? { mcpServer: config.mcpServerName } : {}),
    ...(config.mcpServerNamespace !== undefined ? { namespace: config.mcpServerNamespace } : {}),
  };
}
