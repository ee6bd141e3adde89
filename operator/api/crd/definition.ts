// The McpServer CustomResourceDefinition: what is not the spec and status schema (names, subresources,
// printer columns, the object's name rule) is written here; the schema of spec and status comes from
// operator/api/mcp-server.ts. Pure: `npm run generate` writes the result to crds/.
import { GROUP, KIND, PLURAL, VERSION } from '../constants.js';
import { mcpServerSpecSchema, mcpServerStatusSchema } from '../mcp-server.js';
import { cel } from '../schema-kit.js';
import { toCrdSchema, type JsonSchemaProps } from './openapi.js';

interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'date';
  jsonPath: string;
  description?: string;
  priority?: number;
}

const printerColumns: PrinterColumn[] = [
  { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
  { name: 'Replicas', type: 'integer', description: 'Replicas that are ready', jsonPath: '.status.readyReplicas' },
  {
    name: 'Eras',
    type: 'string',
    description: "Protocol eras the server offers (modern = 2026-07-28 and later, legacy = 2025 and earlier), as the operator's MCP probe found",
    jsonPath: '.status.server.eras',
  },
  { name: 'Server', type: 'string', description: "The server's name as it reports itself (serverInfo)", jsonPath: '.status.server.name' },
  { name: 'URL', type: 'string', jsonPath: '.status.url' },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
  { name: 'Reason', type: 'string', priority: 1, jsonPath: '.status.conditions[?(@.type=="Ready")].reason' },
  { name: 'Version', type: 'string', priority: 1, description: "The server's version as it reports itself (serverInfo)", jsonPath: '.status.server.version' },
  {
    name: 'Verified',
    type: 'string',
    priority: 1,
    description: "The ServerVerified condition's reason (Discovered, Initialized, Unreachable, ProbeFailed, NotAnMcpServer, ...)",
    jsonPath: '.status.conditions[?(@.type=="ServerVerified")].reason',
  },
  { name: 'Image', type: 'string', priority: 1, jsonPath: '.spec.image' },
];

/** The whole object's schema: the name rule guards metadata, the only place it can be written. */
function objectSchema(): JsonSchemaProps {
  return {
    type: 'object',
    description: 'McpServer runs an MCP server behind an HTTP bridge (Streamable HTTP on /mcp, legacy SSE on /sse).',
    required: ['spec'],
    'x-kubernetes-validations': [
      cel(
        "self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$') && size(self.metadata.name) <= 63",
        "metadata.name must be a DNS-1035 label of at most 63 characters (lowercase letters, digits and '-', starting with a letter): it names the Service and the Deployment",
      ),
    ],
    properties: {
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 63 } } },
      spec: toCrdSchema(mcpServerSpecSchema),
      status: toCrdSchema(mcpServerStatusSchema),
    },
  };
}

/** The CRD as an object, ready to be written as YAML (render.ts). */
export function mcpServerCrd(): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${PLURAL}.${GROUP}`,
      labels: { 'app.kubernetes.io/name': 'mcp-sidecar-operator', 'app.kubernetes.io/part-of': 'mcp-sidecar-operator' },
    },
    spec: {
      group: GROUP,
      scope: 'Namespaced',
      names: { kind: KIND, listKind: `${KIND}List`, plural: PLURAL, singular: KIND.toLowerCase(), shortNames: ['mcp'], categories: ['all'] },
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: {
            status: {},
            scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas', labelSelectorPath: '.status.selector' },
          },
          additionalPrinterColumns: printerColumns,
          schema: { openAPIV3Schema: objectSchema() },
        },
      ],
    },
  };
}
