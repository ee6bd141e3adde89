import { z } from 'zod';
import { loadYaml } from '@kubernetes/client-node';
import { crd, intOrString } from '../schema-kit.js';
import { CrdSchemaError, toCrdSchema } from './openapi.js';
import { toYaml } from './yaml.js';

describe('toCrdSchema', () => {
  it('when a default is the parse\'s only, then the CRD has none; with admissionDefault, then the apiserver gets it', () => {
    const s = toCrdSchema(z.object({ a: z.array(z.string()).default([]), b: z.number().int().default(1).meta(crd({ admissionDefault: true })) }));
    expect(s.properties?.a).toEqual({ type: 'array', items: { type: 'string' } });
    expect(s.properties?.b).toEqual({ type: 'integer', default: 1 });
    expect(s.required).toBeUndefined();
  });

  it('when admissionDefault has no .default(), then it is refused', () => {
    expect(() => toCrdSchema(z.object({ a: z.string().meta(crd({ admissionDefault: true })) }))).toThrow(CrdSchemaError);
  });

  it('when an integer has no bounds of its own, then the JavaScript-safe bounds are not written', () => {
    expect(toCrdSchema(z.number().int().min(0))).toEqual({ type: 'integer', minimum: 0 });
  });

  it('when a field is an integer or a string, then it is x-kubernetes-int-or-string with the string branch\'s pattern', () => {
    expect(toCrdSchema(intOrString(z.string().regex(/^[0-9]+m$/)))).toEqual({
      pattern: '^[0-9]+m$',
      'x-kubernetes-int-or-string': true,
      anyOf: [{ type: 'integer' }, { type: 'string' }],
    });
  });

  it('when a union is anything else, then it is refused: it has no structural form', () => {
    expect(() => toCrdSchema(z.union([z.string(), z.boolean()]))).toThrow(/no structural form/);
  });

  it('when an object is loose, then unknown fields are pruned unless the meta preserves them', () => {
    expect(toCrdSchema(z.looseObject({ n: z.string() }))).toEqual({ type: 'object', required: ['n'], properties: { n: { type: 'string' } } });
    expect(toCrdSchema(z.record(z.string(), z.unknown()).meta(crd({ 'x-kubernetes-preserve-unknown-fields': true })))).toEqual({
      type: 'object',
      'x-kubernetes-preserve-unknown-fields': true,
    });
  });

  it('when a pattern contains a slash, then it is written unescaped (the RegExp source escapes it)', () => {
    expect(toCrdSchema(z.string().regex(/^\/a\\\/b$/)).pattern).toBe('^/a\\\\/b$');
  });

  it('when the meta carries a key the generator does not know, then it is refused (a typo must not vanish)', () => {
    expect(() => toCrdSchema(z.string().meta({ maxLenght: 3 }))).toThrow(/maxLenght/);
  });

  it('when a CEL rule is in the meta, then it lands on the node it guards', () => {
    const rule = { rule: 'self > 0', message: 'positive' };
    expect(toCrdSchema(z.number().int().meta(crd({ 'x-kubernetes-validations': [rule] })))).toEqual({ type: 'integer', 'x-kubernetes-validations': [rule] });
  });
});

describe('toYaml', () => {
  it('when strings need quoting, then they read back as written', () => {
    const value = {
      apiVersion: 'x/v1',
      kind: 'Thing',
      strings: ['plain', 'true', '123', 'a: b', 'a #b', ' lead', "it's", '"q"', '^[a-z]+$', 'ünï', '', '- x', '[x]', 'null'],
      nested: [{ a: 1, b: [true, false], c: {} }, [], 'x'],
      empty: [],
    };
    expect(loadYaml(toYaml(value))).toEqual(value);
  });
});
