// One server-sent-events response: headers that stop proxies from buffering, keepalive comments,
// and a bound on what may queue for a slow reader. Past the bound the stream is closed (and counted):
// a client that does not read cannot grow the bridge's memory.
import type { ServerResponse } from 'node:http';
import type { JSONRPCMessage } from '../jsonrpc.js';
import type { EventStream } from '../sessions/reply-target.js';

export const KEEPALIVE_MS = 15_000;

export const SSE_HEADERS = {
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
  // A stream's connection is not reused once the stream ends. Its headers went out when it opened, maybe
  // long before a shutdown; when the drain ends the stream, a kept-alive connection would go back to the
  // client's pool pinned to this stopping pod, and the client's next request (a new session's initialize)
  // would meet a 503 or the final close (docs/e2e.md, finding 6). A new connection costs little next to
  // a stream.
  connection: 'close',
} as const;

export interface SseLimits {
  readonly maxQueue: number;
  readonly onOverflow: () => void;
}

export class SseStream implements EventStream {
  private open = true;
  private readonly keepalive: NodeJS.Timeout;
  private readonly closeHandlers: (() => void)[] = [];

  /** Writes the headers unless the caller already did (status 200). */
  constructor(
    private readonly res: ServerResponse,
    private readonly limits: SseLimits,
    extraHeaders: Record<string, string> = {},
  ) {
    if (!res.headersSent) res.writeHead(200, { ...SSE_HEADERS, ...extraHeaders });
    res.flushHeaders();
    this.keepalive = setInterval(() => this.write(': keepalive\n\n'), KEEPALIVE_MS);
    this.keepalive.unref();
    res.once('close', () => this.closed());
  }

  get isOpen(): boolean {
    return this.open;
  }

  onClose(handler: () => void): void {
    if (this.open) this.closeHandlers.push(handler);
    else handler();
  }

  /** A named event other than "message" (the legacy transport's "endpoint"). */
  event(name: string, data: string): boolean {
    return this.write(`event: ${name}\ndata: ${data}\n\n`);
  }

  send(message: JSONRPCMessage): boolean {
    return this.write(`event: message\ndata: ${JSON.stringify(message)}\n\n`);
  }

  close(): void {
    if (!this.open) return;
    this.res.end();
    this.closed();
  }

  private write(text: string): boolean {
    if (!this.open) return false;
    if (this.res.writableLength > this.limits.maxQueue) {
      this.limits.onOverflow();
      this.res.destroy();
      this.closed();
      return false;
    }
    this.res.write(text);
    return true;
  }

  private closed(): void {
    if (!this.open) return;
    this.open = false;
    clearInterval(this.keepalive);
    for (const handler of this.closeHandlers.splice(0)) handler();
  }
}
