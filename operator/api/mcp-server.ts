// The McpServer resource as the controller sees it. The CRD schema (with CEL) rejects bad specs at
// admission; this zod schema is the typed edge for objects read from the informer cache (rule 7), and
// it applies the same defaults so the builders never deal with `undefined` knobs.
import { z } from 'zod';

const secretKeySelector = z.object({ name: z.string(), key: z.string(), optional: z.boolean().optional() });
const envVar = z.object({
  name: z.string(),
  value: z.string().optional(),
  valueFrom: z
    .object({
      secretKeyRef: secretKeySelector.optional(),
      configMapKeyRef: secretKeySelector.optional(),
      fieldRef: z.object({ fieldPath: z.string(), apiVersion: z.string().optional() }).optional(),
      resourceFieldRef: z
        .object({ resource: z.string(), containerName: z.string().optional(), divisor: z.union([z.string(), z.number()]).optional() })
        .optional(),
    })
    .optional(),
});
const envFromSource = z.object({
  prefix: z.string().optional(),
  secretRef: z.object({ name: z.string(), optional: z.boolean().optional() }).optional(),
  configMapRef: z.object({ name: z.string(), optional: z.boolean().optional() }).optional(),
});
const quantityMap = z.record(z.string(), z.union([z.string(), z.number()]));
const toleration = z.object({
  key: z.string().optional(),
  operator: z.string().optional(),
  value: z.string().optional(),
  effect: z.string().optional(),
  tolerationSeconds: z.number().int().optional(),
});
const volumeMount = z.object({
  name: z.string(),
  mountPath: z.string(),
  readOnly: z.boolean().optional(),
  subPath: z.string().optional(),
});
/** Volumes are passed through to the pod spec as written (the apiserver validates them on the Deployment). */
const volume = z.looseObject({ name: z.string() });

export const sessionModeSchema = z.enum(['perSession', 'shared']);
export type SessionMode = z.infer<typeof sessionModeSchema>;

/**
 * spec.autoscaling: an autoscaling/v2 HorizontalPodAutoscaler on the McpServer's scale subresource. Its
 * targets are averages per pod: the bridge's in-flight requests and open sessions (served to the HPA by
 * a custom-metrics adapter), CPU and memory utilisation of requests (metrics-server).
 */
export const autoscalingSchema = z.object({
  minReplicas: z.number().int().min(1).default(1),
  maxReplicas: z.number().int().min(1),
  targets: z.object({
    inFlightRequestsPerPod: z.number().int().min(1).optional(),
    sessionsPerPod: z.number().int().min(1).optional(),
    cpuUtilizationPercent: z.number().int().min(1).optional(),
    memoryUtilizationPercent: z.number().int().min(1).optional(),
  }),
  scaleDownStabilizationSeconds: z.number().int().min(0).max(3600).optional(),
});
export type Autoscaling = z.infer<typeof autoscalingSchema>;

/**
 * spec.network: the McpServer's NetworkPolicy (operator/builders/network-policy.ts). Peers and ports are
 * NetworkPolicy's own shapes, validated by the CRD schema and passed through as written.
 */
const networkPeer = z.looseObject({});
const networkPort = z.looseObject({});
export const networkSchema = z.object({
  ingress: z.object({ from: z.array(networkPeer).default([]) }).optional(),
  egress: z
    .object({
      dns: z.boolean().default(true),
      publicInternet: z.boolean().default(false),
      allow: z.array(z.object({ to: z.array(networkPeer).optional(), ports: z.array(networkPort).optional() })).default([]),
    })
    .optional(),
});
export type Network = z.infer<typeof networkSchema>;

export const mcpServerSpecSchema = z.object({
  command: z.array(z.string()).default([]),
  args: z.array(z.string()).default([]),
  env: z.array(envVar).default([]),
  envFrom: z.array(envFromSource).default([]),
  image: z.string().min(1).optional(),
  imagePullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).optional(),
  transport: z.enum(['stdio', 'streamable-http']).default('stdio'),
  port: z.number().int().min(1).max(65535).optional(),
  path: z.string().startsWith('/').default('/mcp'),
  replicas: z.number().int().min(0).default(1),
  autoscaling: autoscalingSchema.optional(),
  sessions: z
    .object({
      mode: sessionModeSchema.default('perSession'),
      warmPool: z.number().int().min(0).optional(),
      warmPoolInitialize: z.boolean().optional(),
      maxSessions: z.number().int().min(1).optional(),
      idleTimeoutSeconds: z.number().int().min(0).optional(),
    })
    .default({ mode: 'perSession' }),
  bridge: z
    .object({
      port: z.number().int().min(1).max(65535).default(8080),
      authTokenSecretRef: z.object({ name: z.string(), key: z.string() }).optional(),
      allowedOrigins: z.array(z.string()).default([]),
      maxBodyBytes: z.number().int().min(1024).optional(),
      maxLineBytes: z.number().int().min(1024).optional(),
    })
    .default({ port: 8080, allowedOrigins: [] }),
  /** OAuth 2.1 resource-server mode of the bridge (docs/security.md). Nothing in it is secret. */
  auth: z
    .object({
      issuer: z.string().min(1),
      audience: z.string().min(1).optional(),
      publicUrl: z.string().min(1).optional(),
      scopes: z.array(z.string()).default([]),
      jwksCacheSeconds: z.number().int().min(1).optional(),
      forwardIdentity: z.boolean().default(false),
    })
    .optional(),
  tools: z
    .object({
      allow: z.array(z.string()).default([]),
      deny: z.array(z.string()).default([]),
      scopes: z.array(z.object({ tools: z.string(), scope: z.string() })).default([]),
      rateLimit: z.object({ rate: z.string(), burst: z.number().int().min(1).optional() }).optional(),
    })
    .optional(),
  /** Prompts (by name) and resources (by URI) clients may see and use: allow/deny globs, deny wins. */
  prompts: z.object({ allow: z.array(z.string()).default([]), deny: z.array(z.string()).default([]) }).optional(),
  resourceUris: z.object({ allow: z.array(z.string()).default([]), deny: z.array(z.string()).default([]) }).optional(),
  network: networkSchema.optional(),
  resources: z.object({ limits: quantityMap.optional(), requests: quantityMap.optional() }).optional(),
  serviceAccountName: z.string().optional(),
  nodeSelector: z.record(z.string(), z.string()).optional(),
  tolerations: z.array(toleration).optional(),
  affinity: z.record(z.string(), z.unknown()).optional(),
  volumes: z.array(volume).default([]),
  volumeMounts: z.array(volumeMount).default([]),
});
export type McpServerSpec = z.infer<typeof mcpServerSpecSchema>;

export const conditionSchema = z.object({
  type: z.string(),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string(),
  message: z.string(),
  lastTransitionTime: z.string(),
  observedGeneration: z.number().int().optional(),
});
export type Condition = z.infer<typeof conditionSchema>;

/** The protocol eras of MCP: "modern" = 2026-07-28 and later (no initialize), "legacy" = the 2024/2025 revisions. */
export type Era = 'modern' | 'legacy';

/**
 * What the operator's MCP probe observed of the server (status.server). Read leniently (plain strings):
 * a status this version does not understand must never make the object unparseable.
 */
export const serverStatusSchema = z.object({
  name: z.string().optional(),
  version: z.string().optional(),
  protocolVersions: z.array(z.string()).optional(),
  eras: z.array(z.string()).optional(),
});
export type ServerStatus = z.infer<typeof serverStatusSchema>;

/** What the HorizontalPodAutoscaler reports (status.autoscaling), copied from its status. */
export const autoscalingStatusSchema = z.object({
  currentReplicas: z.number().int().optional(),
  desiredReplicas: z.number().int().optional(),
  lastScaleTime: z.string().optional(),
});
export type AutoscalingStatus = z.infer<typeof autoscalingStatusSchema>;

export const mcpServerStatusSchema = z.object({
  conditions: z.array(conditionSchema).optional(),
  observedGeneration: z.number().int().optional(),
  replicas: z.number().int().optional(),
  readyReplicas: z.number().int().optional(),
  selector: z.string().optional(),
  url: z.string().optional(),
  sseUrl: z.string().optional(),
  server: serverStatusSchema.optional(),
  autoscaling: autoscalingStatusSchema.optional(),
});
export type McpServerStatus = z.infer<typeof mcpServerStatusSchema>;

export const mcpServerSchema = z.object({
  metadata: z.object({
    name: z.string().min(1),
    namespace: z.string().min(1),
    uid: z.string().min(1),
    generation: z.number().int().default(0),
    resourceVersion: z.string().optional(),
    deletionTimestamp: z.unknown().optional(),
  }),
  spec: mcpServerSpecSchema,
  status: mcpServerStatusSchema.optional(),
});
/** A parsed McpServer: identity, defaulted spec, last written status. */
export type McpServer = z.infer<typeof mcpServerSchema>;

export type ParseResult = { ok: true; value: McpServer } | { ok: false; error: string };

export function parseMcpServer(raw: unknown): ParseResult {
  const r = mcpServerSchema.safeParse(raw);
  if (r.success) return { ok: true, value: r.data };
  return { ok: false, error: z.prettifyError(r.error) };
}
