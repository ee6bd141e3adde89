// Sidecar topology: the bridge image carries the static stdio agent; at start the bridge copies it
// into the pod's shared emptyDir, where the server container (any image, even distroless) runs it.
import { chmod, copyFile, rename } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Where the agent binary sits in the bridge image / a built checkout: dist/agent/mcp-agent. */
export function bundledAgentPath(environment: Readonly<Record<string, string | undefined>>): string {
  return environment.MCP_BRIDGE_AGENT_BINARY ?? join(dirname(fileURLToPath(import.meta.url)), '..', 'agent', 'mcp-agent');
}

export async function installAgent(source: string, target: string): Promise<void> {
  // Copy then rename, so the server container never sees a half-written executable.
  const partial = `${target}.partial`;
  await copyFile(source, partial);
  await chmod(partial, 0o755);
  await rename(partial, target);
}
