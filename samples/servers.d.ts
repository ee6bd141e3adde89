// The shape of samples/servers.json, for the JavaScript that reads it (samples/generate.mjs and the
// declarations of samples/compose.mjs), checked by `npm run typecheck:mjs` (tsconfig.mjs.json).

/** An env value: a literal, or a key of a Secret (valueFrom.secretKeyRef in the McpServer). */
export type SampleEnvValue = string | { secret: string; key: string };

/** One sample MCP server: an McpServer in samples/k8s/, and a Compose service when `compose` is set. */
export interface SampleServer {
  name: string;
  /** The comment above the generated McpServer. */
  description: string;
  transport?: 'stdio' | 'streamable-http';
  image?: string;
  command: string[];
  args?: string[];
  env?: Record<string, SampleEnvValue>;
  port?: number;
  path?: string;
  replicas?: number;
  sessions: {
    mode: 'perSession' | 'shared';
    warmPool?: number;
    warmPoolInitialize?: boolean;
    maxSessions?: number;
    idleTimeoutSeconds?: number;
  };
  tools?: { allow?: string[]; deny?: string[] };
  /** The data folder: an emptyDir per pod, or a PersistentVolumeClaim by name. */
  data?: { mountPath: string; volume: 'emptyDir' } | { mountPath: string; volume: 'persistentVolumeClaim'; claimName: string };
  compose?: {
    /** The 127.0.0.1 port published for the bridge's 8080. */
    port: number;
    /** A host folder (bind) or a named volume at data.mountPath. */
    bind?: string;
    volume?: string;
    /** Values that differ in Compose (e.g. a service's address); each overrides a key of env. */
    env?: Record<string, string>;
    /** Support services that must be healthy first. */
    dependsOn?: ('postgres-db' | 'prometheus')[];
    cpus?: string;
    memory?: string;
  };
}

/** samples/servers.json. */
export interface SamplesFile {
  servers: SampleServer[];
}
