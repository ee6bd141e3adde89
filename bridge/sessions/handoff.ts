// What a shared-mode session's id cannot carry, because it changes after initialize: its log level and
// its resource subscriptions. A replica that stops hands these to its peers at the end of its drain
// (http/peer-handoff.ts); the peer that later adopts the session (adoption.ts) starts it with them, so a
// scale-down does not silently end a client's subscriptions. Pure: the wire form, its checks, and the
// bounded store of what was handed here.
import { LOG_LEVELS, type LogLevel } from './log-levels.js';

export interface SessionHandoff {
  readonly id: string;
  readonly logLevel?: LogLevel;
  readonly subscriptions: readonly string[];
}

/** Per handoff: a replica at its session cap holds at most this many sessions (--max-sessions' bound). */
export const MAX_HANDOFF_SESSIONS = 10_000;
/** Per session: more subscriptions than this are not carried (and the session's entry is dropped). */
export const MAX_SUBSCRIPTIONS = 1_000;
const MAX_URI_CHARS = 4096;

function isLogLevel(value: unknown): value is LogLevel {
  return typeof value === 'string' && (LOG_LEVELS as readonly string[]).includes(value);
}

/** One entry of a handoff body, or undefined when it is not one (the rest of the body still counts). */
function entryOf(value: unknown): SessionHandoff | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { id, logLevel, subscriptions } = value as Record<string, unknown>;
  if (typeof id !== 'string' || id.length === 0 || id.length > 8192) return undefined;
  if (logLevel !== undefined && !isLogLevel(logLevel)) return undefined;
  if (!Array.isArray(subscriptions) || subscriptions.length > MAX_SUBSCRIPTIONS) return undefined;
  if (!subscriptions.every((uri) => typeof uri === 'string' && uri.length > 0 && uri.length <= MAX_URI_CHARS)) return undefined;
  return { id, ...(logLevel === undefined ? {} : { logLevel }), subscriptions: subscriptions as string[] };
}

/** The body a peer receives: `{"sessions":[...]}`. */
export function encodeHandoff(entries: readonly SessionHandoff[]): string {
  return JSON.stringify({ sessions: entries });
}

/** The entries of a (signature-checked) body; undefined when the body is not a handoff at all. */
export function decodeHandoff(text: string): SessionHandoff[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const sessions = (value as { sessions?: unknown } | null)?.sessions;
  if (!Array.isArray(sessions) || sessions.length > MAX_HANDOFF_SESSIONS) return undefined;
  return sessions.map(entryOf).filter((e): e is SessionHandoff => e !== undefined);
}

/** Whether a session has anything to hand off (its id already carries the rest). */
export function worthHandingOff(entry: SessionHandoff): boolean {
  return entry.logLevel !== undefined || entry.subscriptions.length > 0;
}

/**
 * Handoffs received for sessions this replica does not hold (yet): taken by the adoption of the session.
 * Bounded (oldest first out) and aged: most sessions handed to every peer are adopted by one of them,
 * and a client that comes back after `ttlMs` is better served without than with a stale subscription set.
 */
export class PendingHandoffs {
  private readonly entries = new Map<string, { handoff: SessionHandoff; at: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly max = MAX_HANDOFF_SESSIONS,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  put(handoff: SessionHandoff): void {
    this.entries.delete(handoff.id); // re-inserted: newest last
    this.entries.set(handoff.id, { handoff, at: this.now() });
    while (this.entries.size > this.max) {
      const oldest = this.entries.keys().next().value;
      if (oldest === undefined) break;
      this.entries.delete(oldest);
    }
  }

  has(id: string): boolean {
    return this.peek(id) !== undefined;
  }

  /** The handoff for a session, kept here (a peer asks for it), unless it is older than the TTL. */
  peek(id: string): SessionHandoff | undefined {
    const found = this.entries.get(id);
    return found !== undefined && this.now() - found.at <= this.ttlMs ? found.handoff : undefined;
  }

  /** The handoff for a session, once (it is forgotten here), unless it is older than the TTL. */
  take(id: string): SessionHandoff | undefined {
    const found = this.entries.get(id);
    if (found === undefined) return undefined;
    this.entries.delete(id);
    return this.now() - found.at <= this.ttlMs ? found.handoff : undefined;
  }
}
