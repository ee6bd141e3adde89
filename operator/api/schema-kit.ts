// The vocabulary the McpServer zod schema is written in, so that one declaration serves both the
// operator's parse and the CRD's OpenAPI schema (operator/api/crd/openapi.ts turns it into YAML;
// docs/adr/0107-crd-from-one-source.md says why and how).
//   - zod checks (min, max, regex, int, enum, required) are enforced by both the apiserver and the parse;
//   - .meta({...}) keys are copied into the CRD as written: descriptions, CEL rules, x-kubernetes-*
//     extensions, and constraints the parse must not enforce (the status is read leniently);
//   - .default(v) is a default of the parse only, unless the node also says admissionDefault: true, in
//     which case the apiserver writes it into stored objects too (as the CRD always did).
import { z } from 'zod';

/** A CEL rule of x-kubernetes-validations: what the apiserver checks at admission beyond the schema. */
export interface CelRule {
  rule: string;
  message: string;
}

/** The keys this project puts in .meta(), typed (zod's GlobalMeta accepts any key; these are checked). */
// A type, not an interface: zod's meta() wants an index signature, which only type literals satisfy.
export type CrdMeta = {
  description?: string;
  'x-kubernetes-validations'?: CelRule[];
  'x-kubernetes-preserve-unknown-fields'?: true;
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  /** The parse's .default() is also the apiserver's default (written into stored objects). */
  admissionDefault?: true;
  /** The OpenAPI format the apiserver documents (and for date-time, validates). */
  format?: 'int32' | 'int64' | 'date-time';
  /** CRD-only constraints, for fields the parse reads leniently (status) or zod cannot express. */
  maxLength?: number;
  maxItems?: number;
  maxProperties?: number;
  minimum?: number;
  enum?: string[];
};

export const cel = (rule: string, message: string): CelRule => ({ rule, message });

/** meta() with the project's keys checked by the compiler. */
export const crd = (meta: CrdMeta): CrdMeta => meta;

/**
 * Kubernetes's int-or-string (IntOrString, Quantity): an integer or a string. The CRD gets
 * x-kubernetes-int-or-string; constraints on the string (a pattern) apply to string values only.
 */
export const intOrString = (str: z.ZodString = z.string()) => z.union([z.number().int(), str]);

/** Kubernetes resource quantity (1, 500m, 2Gi): apimachinery's serialization format, as a pattern. */
export const quantity = intOrString(
  z.string().regex(/^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$/),
);

/**
 * A check of the parse only, with no counterpart in the CRD (zod refinements do not reach JSON Schema):
 * where the operator has always refused what admission accepts. Kept as it was so that behaviour does not
 * change; the ADR lists them. The message is zod's own for min(1), so an InvalidSpec status reads as before.
 */
export const nonEmptyForTheOperator = (s: z.ZodString) => s.refine((v) => v.length > 0, { message: 'Too small: expected string to have >=1 characters' });
