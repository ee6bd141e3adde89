// Splits a byte stream into newline-delimited lines with a hard cap on line length, so a server
// that never prints a newline cannot grow the bridge's memory without bound.

export class LineTooLongError extends Error {
  constructor(readonly limit: number) {
    super(`the MCP server wrote a line longer than ${limit} bytes (--max-line)`);
  }
}

export class LineFramer {
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private overflowed = false;

  constructor(
    private readonly maxLine: number,
    private readonly onLine: (line: string) => void,
    private readonly onOverflow: (err: LineTooLongError) => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.overflowed) return;
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(10, start);
      if (nl === -1) break;
      const piece = chunk.subarray(start, nl);
      if (this.pendingBytes + piece.length > this.maxLine) return this.overflow();
      const line = this.pendingBytes === 0 ? piece.toString('utf8') : Buffer.concat([...this.pending, piece]).toString('utf8');
      this.pending = [];
      this.pendingBytes = 0;
      start = nl + 1;
      // Tolerate CRLF and blank lines: servers on some platforms print them.
      const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
      if (trimmed.length > 0) this.onLine(trimmed);
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      if (this.pendingBytes + rest.length > this.maxLine) return this.overflow();
      this.pending.push(rest);
      this.pendingBytes += rest.length;
    }
  }

  private overflow(): void {
    this.overflowed = true;
    this.pending = [];
    this.pendingBytes = 0;
    this.onOverflow(new LineTooLongError(this.maxLine));
  }
}
