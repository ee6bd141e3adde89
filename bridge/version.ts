// The bridge's version (package.json), for --version and the OpenTelemetry resource. Found by walking
// up from this file: it is dist/bridge/version.js when built and bridge/version.ts under the tests.
import { existsSync, readFileSync } from 'node:fs';

export function bridgeVersion(): string {
  for (const up of ['../package.json', '../../package.json']) {
    const url = new URL(up, import.meta.url);
    if (!existsSync(url)) continue;
    const pkg = JSON.parse(readFileSync(url, 'utf8')) as { name?: string; version?: string };
    if (pkg.name === 'mcp-sidecar-operator' && pkg.version !== undefined) return pkg.version;
  }
  throw new Error('package.json of mcp-sidecar-operator not found next to the bridge');
}

/** The bridge as an MCP client of its stdio servers (clientInfo of its own initialize and probes). */
export const BRIDGE_CLIENT_INFO: { readonly name: string; readonly version: string } = { name: 'mcp-bridge', version: bridgeVersion() };
