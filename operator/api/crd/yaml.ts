// A YAML writer for the JSON-like objects the generator emits (maps, lists, strings, numbers, booleans),
// in block style with keys in insertion order. client-node's dumpYaml goes through its typed models,
// which drop the JSONSchemaProps fields they spell differently (enum, default, x-kubernetes-*).
type Json = string | number | boolean | null | Json[] | { [k: string]: Json };

const RESERVED = /^(true|false|yes|no|on|off|y|n|null|~)$/i;

/** Plain (unquoted) only when unambiguous; otherwise a JSON string, which is a valid YAML double-quoted scalar. */
function scalar(v: string | number | boolean | null): string {
  if (typeof v !== 'string') return String(v);
  const plain = /^[A-Za-z/^.][A-Za-z0-9 ._/()'^\\[\]=!-]*$/.test(v) && !v.endsWith(' ') && !RESERVED.test(v) && !v.includes(' #');
  return plain ? v : JSON.stringify(v);
}

function isEmptyContainer(v: Json): boolean {
  return typeof v === 'object' && v !== null && (Array.isArray(v) ? v.length === 0 : Object.keys(v).length === 0);
}

function lines(v: Json, indent: string): string[] {
  if (Array.isArray(v)) {
    return v.flatMap((item) => {
      if (typeof item !== 'object' || item === null || isEmptyContainer(item)) return [`${indent}- ${inline(item)}`];
      const [first = '', ...rest] = lines(item, `${indent}  `);
      return [`${indent}- ${first.slice(indent.length + 2)}`, ...rest];
    });
  }
  if (typeof v === 'object' && v !== null) {
    return Object.entries(v).flatMap(([k, child]) => {
      const key = `${indent}${scalar(k)}:`;
      if (typeof child !== 'object' || child === null || isEmptyContainer(child)) return [`${key} ${inline(child)}`];
      return [key, ...lines(child, `${indent}  `)];
    });
  }
  return [`${indent}${scalar(v)}`];
}

function inline(v: Json): string {
  if (Array.isArray(v)) return '[]';
  if (typeof v === 'object' && v !== null) return '{}';
  return scalar(v);
}

export function toYaml(v: unknown): string {
  return `${lines(v as Json, '').join('\n')}\n`;
}
