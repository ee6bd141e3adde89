// What an upstream is at the byte level: a child's stdio pipes, or a Unix socket to the stdio agent
// (sidecar topology). Everything above this (framing, JSON-RPC, sessions) does not care which.
import type { Readable, Writable } from 'node:stream';

export interface ExitInfo {
  /** Human-readable, for errors sent to clients and for logs: "exited with code 1", "killed by SIGKILL". */
  readonly description: string;
  /** True when the bridge asked it to stop. */
  readonly requested: boolean;
}

export interface ByteChannel {
  readonly label: string;
  /** The process (and process-group leader) behind the channel, when the bridge spawned it. */
  readonly pid?: number;
  readonly input: Writable;
  readonly output: Readable;
  /** Resolves once, when the process (or the connection) is gone. */
  readonly exited: Promise<ExitInfo>;
  /** Adds bindings (e.g. the session id, once known) to what this channel logs, stderr included. */
  tag(bindings: Record<string, string>): void;
  /** Graceful stop with escalation; resolves when exited. Safe to call more than once. */
  stop(): Promise<ExitInfo>;
}
