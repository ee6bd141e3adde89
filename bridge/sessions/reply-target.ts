// Where the messages that belong to one client request go: the POST's reply (Streamable HTTP) or the
// session's event stream (legacy SSE). The router only knows this interface.
import type { JSONRPCMessage } from '../jsonrpc.js';
import type { TraceCarrier } from '../telemetry/trace-context.js';

export interface ReplyTarget {
  /**
   * The trace context of the bridge's span for this request (tracing on): the router puts it into
   * the `params._meta` of the request it sends the server, so the server's spans join the trace.
   */
  readonly traceContext?: TraceCarrier | undefined;
  /** A message related to the request (progress, a server request) before its response. */
  deliver(message: JSONRPCMessage): void;
  /** The request's response; nothing more follows for this request. */
  complete(response: JSONRPCMessage): void;
  /** No response will come (the client cancelled it); the target may finish. */
  abandon(): void;
}

/** A stream a session keeps open for messages not tied to a request (GET /mcp, or GET /sse). */
export interface EventStream {
  readonly isOpen: boolean;
  send(message: JSONRPCMessage): boolean;
  close(): void;
}
