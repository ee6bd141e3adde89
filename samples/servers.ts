// samples/servers.json, the one source of the samples' per-server settings, read and validated, and each
// server as the McpServer that samples/k8s/<name>.yaml holds (what the operator is given).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { API_VERSION, KIND } from '../operator/api/constants.js';
import type { Plain } from './yaml.js';

export const SAMPLES_DIR = dirname(fileURLToPath(import.meta.url));

const secretRef = z.object({ secret: z.string().min(1), key: z.string().min(1) });
export type SecretRef = z.infer<typeof secretRef>;

const composeEntry = z.strictObject({
  /** The 127.0.0.1 port published for the bridge's. */
  port: z.number().int().min(1).max(65535),
  /** A host folder (bind mount) or a named volume, at data.mountPath. */
  bind: z.string().optional(),
  volume: z.string().optional(),
  /** Values that differ in Compose (a service's address); each must override an entry of env. */
  env: z.record(z.string(), z.string()).optional(),
  /** Support services that must be healthy first. */
  dependsOn: z.array(z.enum(['postgres-db', 'prometheus'])).optional(),
  cpus: z.string().optional(),
  memory: z.string().optional(),
});

/**
 * One server. sessions and tools are passed to the McpServer as written (the operator's schema
 * validates them when the McpServer is parsed), so their key order in the generated YAML is servers.json's.
 */
const sampleServer = z.strictObject({
  name: z.string().min(1),
  description: z.string().min(1),
  transport: z.enum(['stdio', 'streamable-http']).optional(),
  image: z.string().optional(),
  command: z.array(z.string()).min(1),
  args: z.array(z.string()).optional(),
  env: z.record(z.string(), z.union([z.string(), secretRef])).optional(),
  port: z.number().int().optional(),
  path: z.string().optional(),
  replicas: z.number().int().optional(),
  sessions: z.record(z.string(), z.json()).optional(),
  tools: z.record(z.string(), z.json()).optional(),
  data: z
    .strictObject({ mountPath: z.string().min(1), volume: z.enum(['emptyDir', 'persistentVolumeClaim']), claimName: z.string().optional() })
    .optional(),
  compose: composeEntry.optional(),
});
export type SampleServer = z.infer<typeof sampleServer>;
export type ComposeEntry = z.infer<typeof composeEntry>;

const serversFile = z.object({ $comment: z.string().optional(), servers: z.array(sampleServer) });

/** samples/servers.json's servers, in its order; a malformed file is refused with zod's account of it. */
export function readServers(path = join(SAMPLES_DIR, 'servers.json')): SampleServer[] {
  const r = serversFile.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!r.success) throw new Error(`${path}: ${z.prettifyError(r.error)}`);
  return r.data.servers;
}

/** The name of the pod volume that servers.json's `data` declares. */
export const DATA_VOLUME = 'data';

function env(e: SampleServer['env']): Plain {
  if (e === undefined) return undefined;
  return Object.entries(e).map(([name, value]) =>
    typeof value === 'string' ? { name, value } : { name, valueFrom: { secretKeyRef: { name: value.secret, key: value.key } } },
  );
}

/** The McpServer document for one server (no namespace: samples/apply.sh applies them to one). */
export function mcpServerDoc(s: SampleServer): { apiVersion: string; kind: string; metadata: { name: string }; spec: Record<string, Plain> } {
  const spec: Record<string, Plain> = {
    transport: s.transport,
    image: s.image,
    command: s.command,
    args: s.args,
    env: env(s.env),
    port: s.port,
    path: s.path,
    replicas: s.replicas,
    sessions: s.sessions,
    tools: s.tools,
  };
  if (s.data !== undefined) {
    const source = s.data.volume === 'emptyDir' ? { emptyDir: {} } : { persistentVolumeClaim: { claimName: s.data.claimName } };
    spec.volumes = [{ name: DATA_VOLUME, ...source }];
    spec.volumeMounts = [{ name: DATA_VOLUME, mountPath: s.data.mountPath }];
  }
  return { apiVersion: API_VERSION, kind: KIND, metadata: { name: s.name }, spec };
}
