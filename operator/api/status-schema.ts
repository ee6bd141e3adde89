// McpServer status: what the operator observed. Part of the McpServer API's one source (mcp-server.ts; how
// to read it: schema-kit.ts).
import { z } from 'zod';
import { crd } from './schema-kit.js';

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
