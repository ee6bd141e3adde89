import type { Secret } from '../api/kube-types.js';
import { SESSION_KEY_SECRET_KEY, sessionKeySecretName } from '../api/constants.js';
import type { McpServer } from '../api/mcp-server.js';
import { childLabels, ownerReference } from './labels.js';

/**
 * The per-McpServer Secret whose key the bridges use to sign session ids. The key bytes are an input:
 * generating them is I/O (randomness), which the reconciler does, once, when the Secret is missing.
 */
export function buildSessionKeySecret(mcp: McpServer, key: Buffer): Secret {
  const { name, namespace } = mcp.metadata;
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: sessionKeySecretName(name),
      namespace,
      labels: childLabels(name),
      ownerReferences: [ownerReference(mcp.metadata)],
    },
    type: 'Opaque',
    data: { [SESSION_KEY_SECRET_KEY]: key.toString('base64') },
  };
}
