// JSON-RPC over one ByteChannel: newline framing both ways, SDK-schema validation of what the server
// prints, noise counted and dropped. One Upstream = one MCP server process = one MCP session upstream.
import type { Logger } from 'pino';
import { parseLine, type JSONRPCMessage } from '../jsonrpc.js';
import type { BridgeMetrics } from '../metrics.js';
import type { ByteChannel, ExitInfo } from './byte-channel.js';
import { LineFramer } from './line-framer.js';

export class Upstream {
  /** Set by the owner before any output can arrive (output is read on the next tick at the earliest). */
  onMessage: (message: JSONRPCMessage) => void = () => undefined;
  /**
   * Looked at before onMessage, whoever the owner is by then: a handler that returns true consumed the
   * message. The bridge's own exchanges with a process (its warm initialize) use this, so that a
   * session taking the process meanwhile (and setting onMessage) cannot swallow their answers.
   */
  private readonly interceptors = new Set<(message: JSONRPCMessage) => boolean>();
  /** Resolves once when the process is gone (exit, crash, oversize line, or stop()). */
  readonly closed: Promise<ExitInfo>;
  private isClosed = false;
  private overflow: string | undefined;

  constructor(
    private readonly channel: ByteChannel,
    maxLine: number,
    private readonly log: Logger,
    private readonly metrics: BridgeMetrics,
  ) {
    metrics.childSpawns.inc();
    const framer = new LineFramer(maxLine, (line) => this.receive(line), (err) => {
      // A line over the limit: the stream is no longer trustworthy, so this upstream ends.
      this.overflow = err.message;
      log.error({ limit: err.limit }, 'server line over --max-line; stopping it');
      void channel.stop();
    });
    channel.output.on('data', (chunk: Buffer) => framer.push(chunk));
    this.closed = channel.exited.then((info) => {
      this.isClosed = true;
      const description = this.overflow ?? info.description;
      metrics.childExits.inc({ cause: this.overflow !== undefined ? 'oversize_line' : info.requested ? 'stopped' : 'exited' });
      return { ...info, description, requested: info.requested && this.overflow === undefined };
    });
  }

  get label(): string {
    return this.channel.label;
  }

  /** The server's pid (its process group), when the bridge spawned it (not behind the stdio agent). */
  get pid(): number | undefined {
    return this.channel.pid;
  }

  get isOpen(): boolean {
    return !this.isClosed;
  }

  /** Adds an interceptor (see `interceptors`); the returned function removes it. */
  intercept(handler: (message: JSONRPCMessage) => boolean): () => void {
    this.interceptors.add(handler);
    return () => this.interceptors.delete(handler);
  }

  /** Tags this process's log lines (stderr included) with the session it now serves. */
  bindSession(sessionId: string): void {
    this.channel.tag({ sessionId });
  }

  send(message: JSONRPCMessage): boolean {
    if (this.isClosed) return false;
    const line = JSON.stringify(message) + '\n';
    this.metrics.countBytes('to_server', line.length);
    this.channel.input.write(line);
    return true;
  }

  stop(): Promise<ExitInfo> {
    return this.channel.stop().then(() => this.closed);
  }

  private receive(line: string): void {
    const message = parseLine(line);
    if (message === undefined) {
      this.metrics.noiseLines.inc();
      this.log.warn({ line: line.slice(0, 200) }, 'server printed a non-JSON-RPC line on stdout; dropped');
      return;
    }
    this.metrics.countBytes('from_server', line.length);
    if (this.interceptors.size > 0) for (const handler of this.interceptors) if (handler(message)) return;
    this.onMessage(message);
  }
}
