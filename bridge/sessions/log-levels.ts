// MCP (syslog) log levels, least to most severe.
export const LOG_LEVELS = ['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const rank = (level: string): number => LOG_LEVELS.indexOf(level as LogLevel);

/** The more verbose (lower) of two levels. */
export function moreVerbose(a: LogLevel, b: LogLevel): LogLevel {
  return rank(a) <= rank(b) ? a : b;
}

/** Whether a message at `level` passes a session's `threshold`; unknown levels pass. */
export function atLeast(level: string, threshold: LogLevel): boolean {
  const r = rank(level);
  return r === -1 || r >= rank(threshold);
}
