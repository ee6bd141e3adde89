// The McpServer resource: the one source of its API. The operator parses objects read from the informer
// cache with this schema (rule 7), which applies the same defaults so the builders never deal with
// `undefined` knobs; `npm run generate` turns the same declarations into the CRD's OpenAPI schema with its
// CEL rules (operator/api/crd/, crds/mcp.sidecar.dev_mcpservers.yaml). How to read them: schema-kit.ts.
import { z } from 'zod';
import { envFromSource, envVar, quantityMap, toleration, volume, volumeMount } from './kube-shapes.js';
import { networkSchema } from './network-schema.js';
import { authSchema, nameFilter, toolsSchema } from './policy-schema.js';
import { cel, crd } from './schema-kit.js';
import { mcpServerStatusSchema } from './status-schema.js';

export { networkSchema, type Network } from './network-schema.js';
export {
  autoscalingStatusSchema,
  conditionSchema,
  mcpServerStatusSchema,
  serverStatusSchema,
  type AutoscalingStatus,
  type Condition,
  type Era,
  type McpServerStatus,
  type ServerStatus,
} from './status-schema.js';

export const sessionModeSchema = z
  .enum(['perSession', 'shared'])
  .meta(
    crd({
      description: 'perSession: one server process per client session (isolation). shared: one process for all sessions of a pod (ids rewritten per session).',
    }),
  );
export type SessionMode = z.infer<typeof sessionModeSchema>;

const perPodTarget = (description: string) => z.number().int().min(1).meta(crd({ description })).optional();

/**
 * spec.autoscaling: an autoscaling/v2 HorizontalPodAutoscaler on the McpServer's scale subresource. Its
 * targets are averages per pod: the bridge's in-flight requests and open sessions (served to the HPA by
 * a custom-metrics adapter), CPU and memory utilisation of requests (metrics-server).
 */
export const autoscalingSchema = z
  .object({
    minReplicas: z
      .number()
      .int()
      .min(1)
      .default(1)
      .meta(
        crd({
          admissionDefault: true,
          format: 'int32',
          description:
            'At least 1: scaling to zero needs the HPAScaleToZero feature gate (alpha) and a wake-up on the first request, which this operator does not provide (docs/autoscaling.md).',
        }),
      ),
    maxReplicas: z.number().int().min(1).max(1000).meta(crd({ format: 'int32' })),
    targets: z
      .object({
        inFlightRequestsPerPod: perPodTarget("MCP requests in flight per pod (the bridge's mcp_bridge_requests_in_flight, through the custom metrics API)."),
        sessionsPerPod: perPodTarget('Open client sessions per pod (mcp_bridge_sessions_active, through the custom metrics API).'),
        cpuUtilizationPercent: perPodTarget('Average CPU use as a percentage of spec.resources.requests.cpu (metrics-server).'),
        memoryUtilizationPercent: perPodTarget('Average memory use as a percentage of spec.resources.requests.memory (metrics-server).'),
      })
      .meta(
        crd({
          description: 'At least one. The HPA scales to the largest count any target asks for.',
          'x-kubernetes-validations': [
            cel(
              'has(self.inFlightRequestsPerPod) || has(self.sessionsPerPod) || has(self.cpuUtilizationPercent) || has(self.memoryUtilizationPercent)',
              'spec.autoscaling.targets needs at least one of inFlightRequestsPerPod, sessionsPerPod, cpuUtilizationPercent, memoryUtilizationPercent',
            ),
          ],
        }),
      ),
    scaleDownStabilizationSeconds: z
      .number()
      .int()
      .min(0)
      .max(3600)
      .meta(crd({ description: 'How long the HPA looks back before it scales down (its default: 300).' }))
      .optional(),
  })
  .meta(
    crd({
      description:
        'An autoscaling/v2 HorizontalPodAutoscaler on this McpServer (owned by the operator, deleted when this is removed). It writes spec.replicas through the scale subresource; the operator keeps the Deployment within [minReplicas, maxReplicas]. Targets are averages per pod. See docs/autoscaling.md.',
      'x-kubernetes-validations': [cel('self.minReplicas <= self.maxReplicas', 'spec.autoscaling.minReplicas must not exceed maxReplicas')],
    }),
  );
export type Autoscaling = z.infer<typeof autoscalingSchema>;

const sessionsSchema = z
  .object({
    mode: sessionModeSchema.default('perSession').meta(crd({ admissionDefault: true })),
    warmPool: z
      .number()
      .int()
      .min(0)
      .max(64)
      .meta(crd({ description: 'perSession only. Processes started ahead of time so initialize does not pay the cold start.' }))
      .optional(),
    warmPoolInitialize: z
      .boolean()
      .meta(
        crd({
          description:
            "With warmPool: the bridge also initializes the waiting processes and answers a client's initialize from that result when the client asks the same protocol version and declares no capabilities (other clients get a fresh process). Takes the server's first initialize off new sessions; the server sees the bridge's clientInfo.",
        }),
      )
      .optional(),
    maxSessions: z
      .number()
      .int()
      .min(1)
      .meta(
        crd({
          description:
            'Cap on concurrent sessions per pod (default: what the memory limit holds, in perSession mode). At the cap the session idle longest is ended for a new one; initialize gets 503 only when every session has a request in flight.',
        }),
      )
      .optional(),
    idleTimeoutSeconds: z.number().int().min(0).meta(crd({ description: 'Sessions idle this long are closed (0 = never).' })).optional(),
  })
  .meta(
    crd({
      'x-kubernetes-validations': [
        cel("!has(self.warmPool) || self.warmPool == 0 || self.mode == 'perSession'", 'spec.sessions.warmPool applies only to mode perSession'),
        cel('!has(self.warmPool) || !has(self.maxSessions) || self.warmPool <= self.maxSessions', 'spec.sessions.warmPool must not exceed spec.sessions.maxSessions'),
        cel('!has(self.warmPoolInitialize) || !self.warmPoolInitialize || (has(self.warmPool) && self.warmPool > 0)', 'spec.sessions.warmPoolInitialize needs a warmPool (mode perSession)'),
      ],
    }),
  );

const bridgeSchema = z.object({
  port: z
    .number()
    .int()
    .min(1024)
    .max(65535)
    .default(8080)
    .meta(crd({ admissionDefault: true, description: "The bridge's HTTP port (Service port too). 1024 and above, since the pod runs as non-root." })),
  authTokenSecretRef: z
    .object({ name: z.string().min(1).max(253), key: z.string().min(1).max(253) })
    .meta(crd({ description: 'A Secret key holding the bearer token clients must send (Authorization Bearer).' }))
    .optional(),
  allowedOrigins: z
    .array(z.string().max(1024))
    .max(64)
    .default([])
    .meta(crd({ description: 'Origins allowed to call the bridge from browsers (DNS-rebinding protection).' })),
  maxBodyBytes: z.number().int().min(1024).meta(crd({ description: 'Largest HTTP request body accepted.' })).optional(),
  maxLineBytes: z.number().int().min(1024).meta(crd({ description: 'Largest single message (stdout line) accepted from the server.' })).optional(),
});

/** Rules across fields of the spec: each names the fields it relates (the CRD evaluates them on spec). */
const specRules = [
  cel(
    "!has(self.image) || self.transport != 'stdio' || (has(self.command) && size(self.command) > 0)",
    "spec.command is required when spec.image is set: the server container runs as '/mcp/agent -- <command>', and the operator cannot read the image's entrypoint",
  ),
  cel('!(has(self.auth) && has(self.bridge) && has(self.bridge.authTokenSecretRef))', 'spec.auth and spec.bridge.authTokenSecretRef exclude each other: OAuth access tokens or one static token'),
  cel("(!has(self.auth) && !has(self.tools)) || self.transport == 'stdio'", 'spec.auth and spec.tools are enforced by the bridge, which a transport streamable-http server does not get'),
  cel('!has(self.tools) || !has(self.tools.scopes) || size(self.tools.scopes) == 0 || has(self.auth)', 'spec.tools.scopes needs spec.auth (scopes come from validated access tokens)'),
  cel(
    'has(self.image) || (has(self.command) && size(self.command) > 0)',
    'spec.command must not be empty when spec.image is not set: it is the stdio server the bridge starts (e.g. [npx, -y, @modelcontextprotocol/server-everything])',
  ),
  cel("self.transport != 'streamable-http' || has(self.port)", 'spec.port is required when spec.transport is streamable-http: it is the port your server listens on'),
  cel("self.transport != 'streamable-http' || !has(self.bridge)", 'spec.bridge applies only to transport stdio: a streamable-http server gets no bridge'),
  cel("self.transport != 'streamable-http' || !has(self.sessions)", 'spec.sessions applies only to transport stdio: a streamable-http server manages its own sessions'),
  cel(
    "!has(self.autoscaling) || !has(self.autoscaling.targets.cpuUtilizationPercent) || (has(self.resources) && has(self.resources.requests) && 'cpu' in self.resources.requests)",
    'spec.autoscaling.targets.cpuUtilizationPercent needs spec.resources.requests.cpu: utilisation is a percentage of the request',
  ),
  cel(
    "!has(self.autoscaling) || !has(self.autoscaling.targets.memoryUtilizationPercent) || (has(self.resources) && has(self.resources.requests) && 'memory' in self.resources.requests)",
    'spec.autoscaling.targets.memoryUtilizationPercent needs spec.resources.requests.memory: utilisation is a percentage of the request',
  ),
  cel(
    "self.transport != 'streamable-http' || !has(self.autoscaling) || (!has(self.autoscaling.targets.inFlightRequestsPerPod) && !has(self.autoscaling.targets.sessionsPerPod))",
    'spec.autoscaling: inFlightRequestsPerPod and sessionsPerPod come from the bridge; a streamable-http server has none (use cpuUtilizationPercent or memoryUtilizationPercent)',
  ),
  cel('!has(self.port) || !has(self.bridge) || !has(self.bridge.port) || self.bridge.port != self.port', 'spec.bridge.port clashes with spec.port: the bridge and the server share the pod network'),
  cel("self.transport == 'streamable-http' || !has(self.port)", 'spec.port applies only to transport streamable-http; with transport stdio the bridge listens on spec.bridge.port'),
];

/** Names the operator gives its own volumes and mounts in every pod (builders/deployment.ts). */
const reservedVolumes = cel("self.all(v, !(v.name in ['tmp', 'mcp', 'session-key', 'auth-token']))", 'spec.volumes: the names tmp, mcp, session-key and auth-token are reserved for the operator');
const reservedMounts = cel(
  "self.all(m, m.mountPath != '/mcp' && !m.mountPath.startsWith('/mcp/') && m.mountPath != '/tmp' && !m.mountPath.startsWith('/var/run/mcp'))",
  'spec.volumeMounts: /mcp, /tmp and /var/run/mcp are reserved for the operator',
);

const argv = (maxItems: number, description: string) =>
  z
    .array(z.string().max(4096))
    .max(maxItems)
    .default([])
    .meta(crd({ description }));

export const mcpServerSpecSchema = z
  .object({
    command: argv(64, "The server's argv[0..]; for stdio, what the bridge (or the agent) starts. No shell is involved."),
    args: argv(256, 'Arguments appended to command.'),
    image: z
      .string()
      .min(1)
      .max(1024)
      .meta(
        crd({
          description:
            "The server's image. Unset: the server runs inside the bridge container (which carries node/npx and uv/uvx). Set: the sidecar topology (the bridge runs as a native sidecar and talks to the server through a Unix socket).",
        }),
      )
      .optional(),
    imagePullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).optional(),
    transport: z
      .enum(['stdio', 'streamable-http'])
      .default('stdio')
      .meta(
        crd({
          admissionDefault: true,
          description:
            'stdio (default): the server speaks MCP on stdin/stdout and gets a bridge. streamable-http: the server already speaks HTTP; it gets a Deployment and a Service, no bridge.',
        }),
      ),
    port: z
      .number()
      .int()
      .min(1024)
      .max(65535)
      .meta(crd({ description: 'For transport streamable-http, the port the server listens on (non-root pods cannot bind below 1024).' }))
      .optional(),
    path: z
      .string()
      .regex(/^\//)
      .max(256)
      .default('/mcp')
      .meta(crd({ admissionDefault: true, description: 'For transport streamable-http, the MCP endpoint path (status.url).' })),
    replicas: z
      .number()
      .int()
      .min(0)
      .default(1)
      .meta(
        crd({
          admissionDefault: true,
          format: 'int32',
          description:
            "Number of pods. Scalable with kubectl scale, or by spec.autoscaling (the operator's HorizontalPodAutoscaler then writes it through the scale subresource: leave it out of applied manifests).",
        }),
      ),
    autoscaling: autoscalingSchema.optional(),
    sessions: sessionsSchema.default({ mode: 'perSession' }),
    bridge: bridgeSchema.default({ port: 8080, allowedOrigins: [] }),
    auth: authSchema.optional(),
    tools: toolsSchema.optional(),
    prompts: nameFilter(
      'Which prompts clients see and may get (bridge --prompts-allow/--prompts-deny): names or globs with * and ?; deny wins. Others vanish from prompts/list; prompts/get answers -32602.',
    ).optional(),
    resourceUris: nameFilter(
      'Which resources clients see and may read or subscribe to (bridge --resources-allow/--resources-deny): URIs or globs with * and ?; deny wins. Others vanish from resources/list; read and subscribe answer -32002 (Resource not found).',
    ).optional(),
    network: networkSchema.optional(),
    env: z
      .array(envVar)
      .max(256)
      .default([])
      .meta(
        crd({
          description: 'Environment of the server (EnvVar, including valueFrom secretKeyRef/configMapKeyRef).',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          'x-kubernetes-validations': [
            cel("self.all(e, !e.name.startsWith('MCP_BRIDGE_'))", 'spec.env: names starting with MCP_BRIDGE_ are reserved for the operator; use the spec.bridge and spec.sessions fields'),
          ],
        }),
      ),
    envFrom: z
      .array(envFromSource)
      .max(64)
      .default([])
      .meta(crd({ description: 'Secrets and ConfigMaps whose keys become environment variables of the server.' })),
    resources: z
      .object({ limits: quantityMap.optional(), requests: quantityMap.optional() })
      .meta(crd({ description: 'Compute resources of the server (the bridge container in the embedded topology).' }))
      .optional(),
    serviceAccountName: z
      .string()
      .max(253)
      .meta(crd({ description: 'ServiceAccount of the pods. Unset, pods get no API token mounted.' }))
      .optional(),
    nodeSelector: z.record(z.string(), z.string()).optional(),
    tolerations: z.array(toleration).optional(),
    affinity: z
      .record(z.string(), z.unknown())
      .meta(crd({ description: 'Pod affinity/anti-affinity, passed through to the pod spec (validated there).', 'x-kubernetes-preserve-unknown-fields': true }))
      .optional(),
    volumes: z
      .array(volume)
      .max(32)
      .default([])
      .meta(
        crd({
          description: 'Volumes for data (any core Volume source), mounted with spec.volumeMounts.',
          'x-kubernetes-list-type': 'map',
          'x-kubernetes-list-map-keys': ['name'],
          'x-kubernetes-validations': [reservedVolumes],
        }),
      ),
    volumeMounts: z
      .array(volumeMount)
      .max(32)
      .default([])
      .meta(crd({ 'x-kubernetes-validations': [reservedMounts] })),
  })
  .meta(crd({ 'x-kubernetes-validations': specRules }));
export type McpServerSpec = z.infer<typeof mcpServerSpecSchema>;

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
