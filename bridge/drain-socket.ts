// The sidecar topology's shutdown order (docs/operator.md): Kubernetes stops the server container (the
// stdio agent and its server processes) before the bridge, a native sidecar, hears anything. Its drain
// would then run with its servers gone, failing every call in flight. So the server container's preStop
// hook (mcp-agent --drain PATH) connects here first: the bridge drains as on SIGTERM, answers "drained",
// and only then does the kubelet stop the server container, and after it, the bridge.
import { chmod, unlink } from 'node:fs/promises';
import { createServer, type Server, type Socket } from 'node:net';

export interface DrainSocket {
  /** Resolves on the first connection: a drain was asked for. */
  readonly requested: Promise<void>;
  /** The drain is over: every waiting (and later) connection is answered "drained" and closed. */
  drained(): void;
  close(): Promise<void>;
}

export async function listenDrainSocket(path: string): Promise<DrainSocket> {
  await unlink(path).catch(() => undefined); // left by an earlier run of the container in the same emptyDir
  let request: () => void = () => undefined;
  const requested = new Promise<void>((resolve) => (request = resolve));
  let done = false;
  const waiting = new Set<Socket>();
  const answer = (socket: Socket) => socket.end('drained\n');
  const server: Server = createServer((socket) => {
    socket.on('error', () => undefined); // a hook that gave up (its own timeout): nothing to tell it
    request();
    if (done) return answer(socket);
    waiting.add(socket);
    socket.once('close', () => waiting.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  // Whatever uid the server container runs as: the pod's shared emptyDir is the access boundary (like the agent's socket).
  await chmod(path, 0o666);
  return {
    requested,
    drained() {
      done = true;
      for (const socket of waiting) answer(socket);
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
