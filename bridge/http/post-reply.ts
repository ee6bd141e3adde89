// The answer to one Streamable HTTP POST that carried requests. The body's form is chosen late: if
// every response is ready before anything else needs sending (the common case) and within
// STREAM_AFTER_MS, it is a plain application/json body; as soon as a related message (progress, a
// server request) must go first, or the wait gets long, it becomes an SSE stream (with keepalives).
// Both forms are allowed by the spec and handled by every SDK client; JSON is cheaper and friendlier
// to proxies, SSE is what long or chatty calls need.
import type { ServerResponse } from 'node:http';
import type { JSONRPCMessage } from '../jsonrpc.js';
import type { ReplyTarget } from '../sessions/reply-target.js';
import { SseStream, type SseLimits } from './sse-stream.js';

export const STREAM_AFTER_MS = 1000;

export class PostReply {
  private readonly responses: JSONRPCMessage[] = [];
  private outstanding = 0;
  private stream: SseStream | undefined;
  private finished = false;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly res: ServerResponse,
    private readonly headers: Record<string, string>,
    private readonly batch: boolean,
    private readonly limits: SseLimits,
    /** HTTP status of a plain JSON answer (2026-07-28 gives some errors their own); default 200. */
    private readonly statusFor: (response: JSONRPCMessage) => number = () => 200,
  ) {
    this.timer = setTimeout(() => this.upgrade(), STREAM_AFTER_MS);
    this.timer.unref();
    res.once('close', () => {
      clearTimeout(this.timer);
      this.finished = true;
    });
  }

  /** One target per request in the POST. */
  target(): ReplyTarget {
    this.outstanding++;
    let settled = false;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      this.outstanding--;
      return true;
    };
    return {
      deliver: (message) => {
        if (settled || this.finished) return;
        this.upgrade()?.send(message);
      },
      complete: (response) => {
        if (!settle() || this.finished) return;
        if (this.stream !== undefined) this.stream.send(response);
        else this.responses.push(response);
        if (this.outstanding === 0) this.finish();
      },
      abandon: () => {
        if (settle() && this.outstanding === 0 && !this.finished) this.finish();
      },
    };
  }

  private upgrade(): SseStream | undefined {
    if (this.finished) return undefined;
    if (this.stream === undefined) {
      clearTimeout(this.timer);
      this.stream = new SseStream(this.res, this.limits, this.headers);
      for (const r of this.responses.splice(0)) this.stream.send(r);
    }
    return this.stream;
  }

  private finish(): void {
    this.finished = true;
    clearTimeout(this.timer);
    if (this.stream !== undefined) return this.stream.close();
    if (this.responses.length === 0) {
      // Every request was cancelled: nothing to say.
      this.res.writeHead(202, this.headers).end();
      return;
    }
    const single = this.responses[0];
    const body = JSON.stringify(this.batch ? this.responses : single);
    const status = !this.batch && single !== undefined ? this.statusFor(single) : 200;
    this.res.writeHead(status, { ...this.headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    this.res.end(body);
  }
}
