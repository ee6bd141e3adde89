// Which session makes room when the bridge is at its cap: the one idle longest, among those with
// nothing in flight. A session with a request in flight is never chosen (its caller is waiting for
// an answer); when every session is busy, nothing is evictable and the new session gets 503.

export interface Evictable {
  readonly inFlight: number;
  /** Date.now() of the session's last request (or stream close). */
  readonly lastActivity: number;
}

/** Pure: the longest-idle session with no request in flight, or undefined. */
export function longestIdle<T extends Evictable>(sessions: Iterable<T>): T | undefined {
  let victim: T | undefined;
  for (const s of sessions) {
    if (s.inFlight > 0) continue;
    if (victim === undefined || s.lastActivity < victim.lastActivity) victim = s;
  }
  return victim;
}
