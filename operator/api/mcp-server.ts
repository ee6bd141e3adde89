// The McpServer resource: the one source of its API. The operator parses objects read from the informer
// cache with this schema (rule 7), which applies the same defaults so the builders never deal with
// `undefined` knobs; `npm run generate` turns the same declarations into the CRD's OpenAPI schema with its
// CEL rules (operator/api/crd/, crds/mcp.sidecar.dev_mcpservers.yaml). How to read them: schema-kit.ts.
import { z } from 'zod';
import { envFromSource, envVar, networkPeer, networkPort, quantityMap, toleration, volume, volumeMount } from './kube-shapes.js';
import { cel, crd, nonEmptyForTheOperator } from './schema-kit.js';

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

/** An OAuth scope token (RFC 6749 §3.3: printable ASCII but space, '"' and '\'). */
// eslint-disable-next-line no-useless-escape -- the apiserver's RE2 reads this pattern too; escaped, it means the same to both.
const scopeToken = z.string().min(1).max(256).regex(/^[!#-\[\]-~]+$/);

/** OAuth 2.1 resource-server mode of the bridge (docs/security.md). Nothing in it is secret. */
const authSchema = z
  .object({
    issuer: nonEmptyForTheOperator(z.string().max(2048)).meta(
      crd({
        description:
          "The authorization server's issuer URL; its metadata (and jwks_uri) come from /.well-known/oauth-authorization-server or /.well-known/openid-configuration.",
      }),
    ),
    audience: nonEmptyForTheOperator(z.string().max(2048))
      .meta(crd({ description: 'The aud a token must carry. Default: publicUrl.' }))
      .optional(),
    publicUrl: nonEmptyForTheOperator(z.string().max(2048))
      .meta(
        crd({
          description:
            "The server's canonical URL as clients reach it (the OAuth resource, RFC 8707). Default: the in-cluster Service URL (http://NAME.NAMESPACE.svc.cluster.local:PORT); set it when clients come through an ingress.",
        }),
      )
      .optional(),
    scopes: z.array(scopeToken).max(32).default([]).meta(crd({ description: 'Scopes every request needs.' })),
    jwksCacheSeconds: z
      .number()
      .int()
      .min(1)
      .max(86400)
      .meta(
        crd({
          description:
            "How long the issuer's keys are kept before they are fetched again (default 600). An unknown key id fetches them again at once (at most every 30 s).",
        }),
      )
      .optional(),
    forwardIdentity: z
      .boolean()
      .default(false)
      .meta(
        crd({
          description:
            'Give the MCP server the validated caller (sub, client_id, scopes) in each request\'s params._meta["dev.mcp-sidecar/identity"]. Off by default.',
        }),
      ),
  })
  .meta(
    crd({
      description:
        'OAuth 2.1 resource-server mode of the bridge (MCP authorization): every request needs a JWT access token from the issuer, with the audience and scopes below; RFC 9728 metadata is served at /.well-known/oauth-protected-resource. docs/security.md.',
      'x-kubernetes-validations': [
        cel(
          "self.issuer.startsWith('https://') || self.issuer.matches('^http://(localhost|127[.][0-9.]+)(:[0-9]+)?(/.*)?$')",
          'spec.auth.issuer must be an https URL (http only for a loopback issuer in the same pod): the keys that sign the tokens are fetched from it',
        ),
        cel("!has(self.publicUrl) || self.publicUrl.matches('^https?://[^/?#]+(/[^?#]*)?$')", 'spec.auth.publicUrl must be an http(s) URL without query or fragment'),
      ],
    }),
  );

/** A tool name or glob: commas and '=' separate entries in the bridge's flags. */
const toolPattern = z.string().min(1).max(256).regex(/^[^,=]+$/);
const toolPatterns = z.array(toolPattern).max(256).default([]);

const toolsSchema = z
  .object({
    allow: toolPatterns,
    deny: toolPatterns,
    scopes: z
      .array(z.object({ tools: toolPattern, scope: scopeToken }))
      .max(64)
      .default([])
      .meta(
        crd({
          description:
            "Tools matching a pattern need a scope in the caller's token (needs spec.auth); a caller without it does not see them, and a call gets 403 insufficient_scope.",
        }),
      ),
    rateLimit: z
      .object({
        rate: z
          .string()
          .max(32)
          .regex(/^([1-9][0-9]*(\.[0-9]+)?|0\.[0-9]*[1-9][0-9]*)\/[smh]$/)
          .meta(crd({ description: 'N/s, N/m or N/h with N > 0, e.g. 60/m' })),
        burst: z
          .number()
          .int()
          .min(1)
          .max(1000000)
          .meta(crd({ description: 'Calls allowed at once after a quiet period (default: the N of rate).' }))
          .optional(),
      })
      .meta(
        crd({
          description:
            "tools/call per caller (the token's sub, else the client address) and tool, counted per pod: over it, HTTP 429 with Retry-After (bridge --rate-limit). See docs/security.md#rate-limits.",
        }),
      )
      .optional(),
  })
  .meta(
    crd({
      description:
        'Which tools clients see and may call (the bridge filters tools/list per caller and refuses other calls). Names or globs with * and ?; deny wins over allow.',
    }),
  );

/** Prompts (by name) and resources (by URI) clients may see and use: allow/deny globs, deny wins. */
const namePatterns = z
  .array(
    z
      .string()
      .min(1)
      .max(1024)
      .regex(/^[^,]+$/),
  )
  .max(256)
  .default([]);
const nameFilter = (description: string) => z.object({ allow: namePatterns, deny: namePatterns }).meta(crd({ description }));

/**
 * spec.network: the McpServer's NetworkPolicy (operator/builders/network-policy.ts). Peers and ports are
 * NetworkPolicy's own shapes, validated by the CRD schema and passed through as written.
 */
export const networkSchema = z
  .object({
    ingress: z
      .object({ from: z.array(networkPeer).max(32).default([]) })
      .meta(
        crd({
          description:
            "Set: only these peers may connect (plus the operator's namespace, for its MCP probe, and the McpServer's own pods, for session relays between replicas); from: [] = nobody else. Kubelet probes from the node are not affected.",
        }),
      )
      .optional(),
    egress: z
      .object({
        dns: z
          .boolean()
          .default(true)
          .meta(crd({ admissionDefault: true, description: 'Allow DNS (UDP and TCP port 53, any destination).' })),
        publicInternet: z
          .boolean()
          .default(false)
          .meta(
            crd({
              admissionDefault: true,
              description:
                'Allow every address outside the private (RFC 1918, RFC 6598, RFC 4193), loopback and link-local ranges, any port: for servers like fetch that must reach the web but not the cluster or cloud metadata.',
            }),
          ),
        allow: z
          .array(
            z
              .object({ to: z.array(networkPeer).max(32).optional(), ports: z.array(networkPort).max(32).optional() })
              .meta(crd({ 'x-kubernetes-validations': [cel('has(self.to) || has(self.ports)', 'an egress rule names peers (to), ports, or both')] })),
          )
          .max(32)
          .default([])
          .meta(crd({ description: 'NetworkPolicy egress rules: to (peers; empty = any destination) and ports (empty = any port).' })),
      })
      .meta(crd({ description: 'Set: the server may connect only to what is allowed here (plus DNS unless dns is false, and its own pods).' }))
      .optional(),
  })
  .meta(
    crd({
      description:
        "Network reach of the server's pods: a NetworkPolicy owned by the operator (deleted when this is removed). Absent: no policy (any pod may connect, the server may connect anywhere). Enforced only where the cluster runs a NetworkPolicy engine. See docs/security.md#network.",
    }),
  );
export type Network = z.infer<typeof networkSchema>;

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

// The status is written by the operator and read leniently: a status this version does not understand
// must never make the object unparseable. So the constraints the apiserver checks on status writes are
// CRD-only (meta), not parse checks.
const int32 = crd({ format: 'int32' });
const int64 = crd({ format: 'int64' });
const dateTime = crd({ format: 'date-time' });

export const conditionSchema = z.object({
  type: z.string().meta(crd({ maxLength: 316 })),
  status: z.enum(['True', 'False', 'Unknown']),
  reason: z.string().meta(crd({ maxLength: 1024 })),
  message: z.string().meta(crd({ maxLength: 32768 })),
  lastTransitionTime: z.string().meta(dateTime),
  observedGeneration: z.number().int().meta(crd({ format: 'int64', minimum: 0 })).optional(),
});
export type Condition = z.infer<typeof conditionSchema>;

/** The protocol eras of MCP: "modern" = 2026-07-28 and later (no initialize), "legacy" = the 2024/2025 revisions. */
export type Era = 'modern' | 'legacy';

/** What the operator's MCP probe observed of the server (status.server). */
export const serverStatusSchema = z
  .object({
    name: z.string().meta(crd({ maxLength: 256, description: 'serverInfo.name' })).optional(),
    version: z.string().meta(crd({ maxLength: 256, description: 'serverInfo.version' })).optional(),
    protocolVersions: z
      .array(z.string().meta(crd({ maxLength: 64 })))
      .meta(
        crd({
          maxItems: 16,
          description: 'Protocol versions the server supports, newest first (server/discover: supportedVersions; initialize: the version negotiated).',
        }),
      )
      .optional(),
    eras: z
      .array(z.string().meta(crd({ enum: ['modern', 'legacy'] satisfies Era[] })))
      .meta(
        crd({
          maxItems: 2,
          description: 'modern (2026-07-28 and later: server/discover, no initialize) and/or legacy (the initialize-based 2024/2025 revisions).',
        }),
      )
      .optional(),
  })
  .meta(
    crd({
      description:
        "What the operator's MCP probe found (server/discover, or initialize for 2025-era servers): self-reported, for display. Absent until a probe succeeded; see the ServerVerified condition.",
    }),
  );
export type ServerStatus = z.infer<typeof serverStatusSchema>;

/** What the HorizontalPodAutoscaler reports (status.autoscaling), copied from its status. */
export const autoscalingStatusSchema = z
  .object({
    currentReplicas: z.number().int().meta(int32).optional(),
    desiredReplicas: z.number().int().meta(int32).optional(),
    lastScaleTime: z.string().meta(dateTime).optional(),
  })
  .meta(crd({ description: 'What the HorizontalPodAutoscaler reports (spec.autoscaling); see the Autoscaling condition.' }));
export type AutoscalingStatus = z.infer<typeof autoscalingStatusSchema>;

export const mcpServerStatusSchema = z.object({
  observedGeneration: z.number().int().meta(int64).optional(),
  replicas: z.number().int().meta(int32).optional(),
  readyReplicas: z.number().int().meta(int32).optional(),
  selector: z.string().meta(crd({ description: 'Label selector of the pods (scale subresource, HPA).' })).optional(),
  url: z.string().meta(crd({ description: 'In-cluster Streamable HTTP endpoint.' })).optional(),
  sseUrl: z.string().meta(crd({ description: 'In-cluster legacy HTTP+SSE endpoint.' })).optional(),
  server: serverStatusSchema.optional(),
  autoscaling: autoscalingStatusSchema.optional(),
  conditions: z
    .array(conditionSchema)
    .meta(crd({ 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['type'] }))
    .optional(),
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
