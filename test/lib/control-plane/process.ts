// One control-plane process: spawned with an argv array, output to a log file in the run's directory,
// its exit observed, stopped with SIGTERM then SIGKILL. A process that dies while it is awaited turns the
// wait into a ComponentExitedError carrying the end of its log, so a broken flag is a readable failure,
// not a timeout.
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, closeSync, readFileSync } from 'node:fs';

export class ComponentExitedError extends Error {
  constructor(
    readonly component: string,
    readonly code: number | null,
    readonly signal: string | null,
    logTail: string,
  ) {
    super(`${component} exited (code ${String(code)}, signal ${String(signal)}) while the control plane needed it; its log ends:\n${logTail}`);
  }
}

export class ComponentTimeoutError extends Error {
  constructor(component: string, what: string, timeoutMs: number, last: string) {
    super(`${component}: ${what} not within ${timeoutMs} ms (last probe: ${last})`);
  }
}

const live = new Set<ChildProcess>();
// A runner that dies without its teardown (jest killed, an uncaught error) must not leave an apiserver
// behind: SIGKILL whatever is still running when this process exits (synchronous, as 'exit' requires).
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export class Component {
  readonly exited: Promise<void>;
  private exit: { code: number | null; signal: string | null } | undefined;
  private readonly child: ChildProcess;

  constructor(
    readonly name: string,
    binary: string,
    args: string[],
    readonly logFile: string,
  ) {
    const fd = openSync(logFile, 'a');
    // An explicit, small environment (rule 8): the components read flags, not the runner's variables
    // (a KUBECONFIG pointing at the shared cluster must not reach the controller-manager).
    this.child = spawn(binary, args, { stdio: ['ignore', fd, fd], env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/' } });
    closeSync(fd);
    live.add(this.child);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exit = { code, signal };
        live.delete(this.child);
        resolve();
      });
    });
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  /** The last lines of the log, for error messages. */
  logTail(lines = 15): string {
    return readFileSync(this.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  }

  /** Throws ComponentExitedError if the process has exited. */
  assertRunning(): void {
    if (this.exit !== undefined) throw new ComponentExitedError(this.name, this.exit.code, this.exit.signal, this.logTail());
  }

  /**
   * Polls `probe` (every 100 ms) until it returns true; fails fast if the process exits, or after
   * `timeoutMs` with the last probe's error.
   */
  async waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'none yet';
    for (;;) {
      this.assertRunning();
      try {
        if (await probe()) return;
        last = 'not yet';
      } catch (err) {
        last = err instanceof Error ? err.message : String(err);
      }
      this.assertRunning();
      if (Date.now() > deadline) throw new ComponentTimeoutError(this.name, what, timeoutMs, last);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.exit !== undefined) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
