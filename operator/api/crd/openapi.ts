// A zod schema (written in operator/api/schema-kit.ts's vocabulary) as a structural OpenAPI v3 schema for
// a CRD. zod's own z.toJSONSchema does the walking; this normalises its output to what the apiserver
// wants and refuses what a structural schema cannot say, so a schema that would not install fails here
// (in the static test) rather than at `kubectl apply`.
import { z } from 'zod';

/** The subset of apiextensions.k8s.io/v1 JSONSchemaProps this project emits. */
export interface JsonSchemaProps {
  [key: string]: unknown;
  type?: string;
  properties?: Record<string, JsonSchemaProps>;
  additionalProperties?: JsonSchemaProps | boolean;
  items?: JsonSchemaProps;
  anyOf?: JsonSchemaProps[];
  required?: string[];
  default?: unknown;
}

/** Key order of an emitted node: what a reader of the YAML wants first (it does not change meaning). */
const KEY_ORDER = [
  'type',
  'format',
  'description',
  'enum',
  'default',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'pattern',
  'maxItems',
  'maxProperties',
  'required',
  'x-kubernetes-int-or-string',
  'anyOf',
  'x-kubernetes-preserve-unknown-fields',
  'x-kubernetes-list-type',
  'x-kubernetes-list-map-keys',
  'x-kubernetes-validations',
  'properties',
  'additionalProperties',
  'items',
];
const FORMATS = new Set(['int32', 'int64', 'date-time']);

export class CrdSchemaError extends Error {
  constructor(path: string, what: string) {
    super(`${path === '' ? '(root)' : path}: ${what}`);
    this.name = 'CrdSchemaError';
  }
}

/** The structural OpenAPI schema of a zod schema. Throws CrdSchemaError for what a CRD cannot say. */
export function toCrdSchema(schema: z.ZodType): JsonSchemaProps {
  // input: a field with a default is optional for the writer (required lists what a writer must send).
  const raw = z.toJSONSchema(schema, { target: 'openapi-3.0', io: 'input', reused: 'inline', cycles: 'throw' });
  // Inlined reuse may share objects between places; normalise a private copy.
  return normalise(structuredClone(raw) as JsonSchemaProps, '');
}

function normalise(node: JsonSchemaProps, path: string): JsonSchemaProps {
  const out: JsonSchemaProps = { ...node };
  delete out.$schema;
  // z.number().int() bounds integers to the JavaScript-safe range; the apiserver's integers are int64.
  if (out.minimum === -Number.MAX_SAFE_INTEGER) delete out.minimum;
  if (out.maximum === Number.MAX_SAFE_INTEGER) delete out.maximum;
  // .default() alone is the parse's; only admissionDefault makes it the apiserver's (stored) default too.
  if (out.admissionDefault !== true) delete out.default;
  else if (!('default' in out)) throw new CrdSchemaError(path, 'admissionDefault without a .default()');
  delete out.admissionDefault;
  if (typeof out.format === 'string' && !FORMATS.has(out.format)) throw new CrdSchemaError(path, `format ${out.format} is not one the CRD uses`);
  // Unknown fields are pruned by the apiserver unless preserved: a loose object's "anything else" and a
  // record of unknown values say nothing a structural schema keeps.
  if (isEmptySchema(out.additionalProperties)) delete out.additionalProperties;
  if (out.properties !== undefined && out.additionalProperties !== undefined) {
    throw new CrdSchemaError(path, 'properties and additionalProperties exclude each other in a structural schema');
  }
  if (out.anyOf !== undefined) intOrString(out, path);
  if (typeof out.pattern === 'string') out.pattern = unescapeSlashes(out.pattern);
  if (out.type === undefined && out['x-kubernetes-int-or-string'] !== true && out['x-kubernetes-preserve-unknown-fields'] !== true) {
    throw new CrdSchemaError(path, 'no type (a structural schema types every field)');
  }
  if (out.required !== undefined && out.required.length === 0) delete out.required;
  if (out.properties !== undefined) {
    out.properties = Object.fromEntries(Object.entries(out.properties).map(([k, v]) => [k, normalise(v, `${path}.${k}`)]));
  }
  if (typeof out.additionalProperties === 'object') out.additionalProperties = normalise(out.additionalProperties, `${path}.*`);
  if (out.items !== undefined) out.items = normalise(out.items, `${path}[]`);
  return ordered(out, path);
}

/**
 * A union of an integer and a string (schema-kit's intOrString) becomes x-kubernetes-int-or-string with
 * the only anyOf a structural schema allows; constraints of the branches move up, where the apiserver
 * applies each to the values of its type (a pattern to strings, a minimum to integers).
 */
function intOrString(out: JsonSchemaProps, path: string): void {
  const branches = out.anyOf ?? [];
  const integer = branches.find((b) => b.type === 'integer');
  const string = branches.find((b) => b.type === 'string');
  if (branches.length !== 2 || integer === undefined || string === undefined) {
    throw new CrdSchemaError(path, 'a union other than integer | string has no structural form');
  }
  delete out.anyOf;
  for (const branch of [integer, string]) {
    for (const [k, v] of Object.entries(branch)) {
      if (k === 'type' || isSafeBound(k, v)) continue;
      out[k] = v;
    }
  }
  delete out.type;
  out['x-kubernetes-int-or-string'] = true;
  out.anyOf = [{ type: 'integer' }, { type: 'string' }];
}

/**
 * A RegExp's source escapes '/' (it would end a /literal/); RE2 and ECMAScript both read '\/' as '/', so
 * the CRD gets the pattern as a person writes it. A '/' after an escaped backslash is left alone.
 */
function unescapeSlashes(pattern: string): string {
  return pattern.replace(/(?<!\\)((?:\\\\)*)\\\//g, '$1/');
}

function isSafeBound(key: string, value: unknown): boolean {
  return (key === 'minimum' && value === -Number.MAX_SAFE_INTEGER) || (key === 'maximum' && value === Number.MAX_SAFE_INTEGER);
}

function isEmptySchema(v: unknown): boolean {
  return v === true || (typeof v === 'object' && v !== null && Object.keys(v).length === 0);
}

function ordered(node: JsonSchemaProps, path: string): JsonSchemaProps {
  const unknown = Object.keys(node).filter((k) => !KEY_ORDER.includes(k));
  if (unknown.length > 0) throw new CrdSchemaError(path, `keys the CRD generator does not know: ${unknown.join(', ')}`);
  const out: JsonSchemaProps = {};
  for (const k of KEY_ORDER) if (k in node) out[k] = node[k];
  return out;
}
