import type { McpServer } from '../api/mcp-server.js';
import { servingPort } from './pod-template.js';

/** In-cluster URLs of an McpServer's endpoints (status.url, status.sseUrl). */
export function serverUrls(mcp: McpServer): { url: string; sseUrl?: string } {
  const { name, namespace } = mcp.metadata;
  const base = `http://${name}.${namespace}.svc.cluster.local:${servingPort(mcp.spec)}`;
  if (mcp.spec.transport === 'streamable-http') return { url: `${base}${mcp.spec.path}` };
  return { url: `${base}/mcp`, sseUrl: `${base}/sse` };
}
