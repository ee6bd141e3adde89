// Structured JSON logs (pino) to stdout, one line per event.
import { pino, type Logger } from 'pino';

export function createLogger(level: string, base: Record<string, unknown> = {}): Logger {
  return pino({ level, base: { component: 'mcp-bridge', ...base }, timestamp: pino.stdTimeFunctions.isoTime });
}
