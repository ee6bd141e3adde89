// Kubernetes's own shapes as far as an McpServer spec carries them (EnvVar, Volume, NetworkPolicyPeer,
// ...): the subset the CRD validates, passed through to the pod spec or the NetworkPolicy as written.
// Written in the schema-kit vocabulary: the CRD's schema is generated from these (operator/api/crd/).
import { z } from 'zod';
import { cel, crd, intOrString, quantity } from './schema-kit.js';

const keyRef = z.object({ name: z.string(), key: z.string(), optional: z.boolean().optional() });

export const envVar = z
  .object({
    name: z.string().min(1).max(256),
    value: z.string().optional(),
    valueFrom: z
      .object({
        secretKeyRef: keyRef.optional(),
        configMapKeyRef: keyRef.optional(),
        fieldRef: z.object({ apiVersion: z.string().optional(), fieldPath: z.string() }).optional(),
        resourceFieldRef: z.object({ containerName: z.string().optional(), resource: z.string(), divisor: intOrString().optional() }).optional(),
      })
      .meta(
        crd({
          'x-kubernetes-validations': [
            cel(
              '(has(self.secretKeyRef) ? 1 : 0) + (has(self.configMapKeyRef) ? 1 : 0) + (has(self.fieldRef) ? 1 : 0) + (has(self.resourceFieldRef) ? 1 : 0) == 1',
              'valueFrom sets exactly one of secretKeyRef, configMapKeyRef, fieldRef, resourceFieldRef',
            ),
          ],
        }),
      )
      .optional(),
  })
  .meta(crd({ 'x-kubernetes-validations': [cel('!(has(self.value) && has(self.valueFrom))', 'an env entry sets either value or valueFrom, not both')] }));

const localRef = z.object({ name: z.string(), optional: z.boolean().optional() });
export const envFromSource = z
  .object({ prefix: z.string().optional(), secretRef: localRef.optional(), configMapRef: localRef.optional() })
  .meta(crd({ 'x-kubernetes-validations': [cel('has(self.secretRef) != has(self.configMapRef)', 'an envFrom entry sets exactly one of secretRef, configMapRef')] }));

export const quantityMap = z.record(z.string(), quantity);

export const toleration = z.object({
  key: z.string().optional(),
  operator: z.string().optional(),
  value: z.string().optional(),
  effect: z.string().optional(),
  tolerationSeconds: z.number().int().meta(crd({ format: 'int64' })).optional(),
});

/** Volumes are passed through to the pod spec as written (the apiserver validates them on the Deployment). */
export const volume = z.looseObject({ name: z.string().min(1).max(63) }).meta(crd({ 'x-kubernetes-preserve-unknown-fields': true }));

export const volumeMount = z.object({
  name: z.string().max(63),
  mountPath: z.string().min(1).max(1024),
  readOnly: z.boolean().optional(),
  subPath: z.string().optional(),
});

const labelSelector = z.object({
  matchLabels: z.record(z.string(), z.string().max(63)).meta(crd({ maxProperties: 32 })).optional(),
  matchExpressions: z
    .array(
      z.object({
        key: z.string().max(317),
        operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']),
        values: z.array(z.string().max(63)).max(64).optional(),
      }),
    )
    .max(16)
    .optional(),
});

const cidr = (message: string) => z.string().max(43).meta(crd({ 'x-kubernetes-validations': [cel('isCIDR(self)', message)] }));

/** A NetworkPolicyPeer, passed through to the McpServer's NetworkPolicy. */
export const networkPeer = z
  .object({
    podSelector: labelSelector.optional(),
    namespaceSelector: labelSelector.optional(),
    ipBlock: z
      .object({
        cidr: cidr('ipBlock.cidr must be a CIDR such as 10.0.0.0/8'),
        except: z.array(cidr('ipBlock.except entries must be CIDRs')).max(32).optional(),
      })
      .optional(),
  })
  .meta(
    crd({
      description: 'A NetworkPolicyPeer: podSelector and/or namespaceSelector, or ipBlock.',
      'x-kubernetes-validations': [
        cel(
          'has(self.ipBlock) ? !has(self.podSelector) && !has(self.namespaceSelector) : has(self.podSelector) || has(self.namespaceSelector)',
          'a peer is an ipBlock, or a podSelector and/or namespaceSelector',
        ),
      ],
    }),
  );

/** A NetworkPolicyPort, passed through to the McpServer's NetworkPolicy. */
export const networkPort = z
  .object({
    protocol: z.enum(['TCP', 'UDP', 'SCTP']).default('TCP').meta(crd({ admissionDefault: true })),
    port: intOrString().meta(crd({ description: 'A port number (1-65535) or a named port.' })).optional(),
    endPort: z.number().int().min(1).max(65535).optional(),
  })
  .meta(
    crd({
      'x-kubernetes-validations': [
        cel('!has(self.endPort) || (has(self.port) && type(self.port) == int && self.endPort >= self.port)', 'endPort needs a numeric port not greater than it'),
      ],
    }),
  );
