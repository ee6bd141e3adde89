import type { McpServer } from '../api/mcp-server.js';
import { servingPort } from './pod-template.js';

/** The in-cluster base URL of an McpServer's Service (also the default OAuth resource of its bridge). */
export function serviceBaseUrl(mcp: McpServer): string {
  const { name, namespace } = mcp.metadata;
  return `http://${name}.${namespace}.svc.cluster.local:${servingPort(mcp.spec)}`;
}

/** In-cluster URLs of an McpServer's endpoints (status.url, status.sseUrl). */
export function serverUrls(mcp: McpServer): { url: string; sseUrl?: string } {
  const base = serviceBaseUrl(mcp);
  if (mcp.spec.transport === 'streamable-http') return { url: `${base}${mcp.spec.path}` };
  return { url: `${base}/mcp`, sseUrl: `${base}/sse` };
}
