// Sessions that outlive their pod (docs/design.md §4c). A shared-mode 2025-era session's state is small:
// the protocol version and capabilities its client sent in initialize, and the subject it is bound to.
// It rides, signed, in the session id (SessionIds.mint), so when the owning replica is gone any replica
// of the same McpServer can adopt the session and serve it on its own shared process: a scale-down or a
// lost pod costs the client nothing. What changes later (log level, resource subscriptions) is not in
// the id and starts over on the adopting replica (docs/reliability.md#sessions-that-outlive-their-pod).
// Per-session mode is not adoptable: its state is a whole process. Pure.

export interface AdoptionState {
  readonly protocolVersion: string;
  readonly capabilities: Readonly<Record<string, unknown>>;
  /** The OAuth subject the session is bound to; absent without OAuth. */
  readonly principal?: string;
}

/**
 * Above this the id would be a burden on every request (an HTTP header each time): such a session is
 * simply not adoptable (clients declare a few capabilities; real ones encode to ~100-300 characters).
 */
export const MAX_STATE_CHARS = 2048;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** base64url of the state (no dots, so it fits an id part), or undefined when it is too big. */
export function encodeAdoption(state: AdoptionState): string | undefined {
  const text = Buffer.from(JSON.stringify({ v: state.protocolVersion, c: state.capabilities, ...(state.principal === undefined ? {} : { p: state.principal }) })).toString('base64url');
  return text.length <= MAX_STATE_CHARS ? text : undefined;
}

/** The state of a (signature-checked) id part; undefined for anything that is not one. */
export function decodeAdoption(text: string): AdoptionState | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(text, 'base64url').toString());
  } catch {
    return undefined;
  }
  if (!isObject(value) || typeof value.v !== 'string' || !isObject(value.c)) return undefined;
  if (value.p !== undefined && typeof value.p !== 'string') return undefined;
  return { protocolVersion: value.v, capabilities: value.c, ...(typeof value.p === 'string' ? { principal: value.p } : {}) };
}

/** The adoption state of a client's initialize request (undefined when it names no version). */
export function adoptionOf(params: Readonly<Record<string, unknown>> | undefined, principal: string | undefined): AdoptionState | undefined {
  const version = params?.protocolVersion;
  if (typeof version !== 'string') return undefined;
  const capabilities = isObject(params?.capabilities) ? params.capabilities : {};
  return { protocolVersion: version, capabilities, ...(principal === undefined ? {} : { principal }) };
}
