// Sidecar topology: the server runs in its own container under the stdio agent, which starts one
// server process per connection on a Unix socket in the pod's shared emptyDir. A connection here is
// the moral equivalent of a spawned child: closing it makes the agent stop that process.
import { connect } from 'node:net';
import type { ByteChannel, ExitInfo } from './byte-channel.js';

export function connectAgent(socketPath: string): ByteChannel {
  const socket = connect(socketPath);
  let stopRequested = false;
  const exited = new Promise<ExitInfo>((resolve) => {
    let failure: string | undefined;
    socket.once('error', (err) => {
      failure = err.message;
    });
    socket.once('close', () => {
      resolve({
        description: failure !== undefined ? `agent connection failed: ${failure}` : 'agent connection closed',
        requested: stopRequested,
      });
    });
  });
  const stop = (): Promise<ExitInfo> => {
    stopRequested = true;
    socket.end();
    // The agent closes its side once the server process is gone; don't wait forever for a stuck agent.
    setTimeout(() => socket.destroy(), 5000).unref();
    return exited;
  };
  // The server's stderr is the server container's (kubectl logs -c server), not ours: nothing to tag.
  return { label: `agent ${socketPath}`, input: socket, output: socket, exited, stop, tag: () => undefined };
}
