// spec.auth, spec.tools, spec.prompts and spec.resourceUris: what the bridge enforces per caller (docs/security.md).
// Part of the McpServer API's one source (mcp-server.ts; how to read it: schema-kit.ts).
import { z } from 'zod';
import { cel, crd, nonEmptyForTheOperator } from './schema-kit.js';

/** An OAuth scope token (RFC 6749 §3.3: printable ASCII but space, '"' and '\'). */
// eslint-disable-next-line no-useless-escape -- the apiserver's RE2 reads this pattern too; escaped, it means the same to both.
const scopeToken = z.string().min(1).max(256).regex(/^[!#-\[\]-~]+$/);

/** OAuth 2.1 resource-server mode of the bridge (docs/security.md). Nothing in it is secret. */
export const authSchema = z
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

export const toolsSchema = z
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
export const nameFilter = (description: string) => z.object({ allow: namePatterns, deny: namePatterns }).meta(crd({ description }));
