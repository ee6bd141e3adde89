// A tiny block-style YAML writer for plain data (maps, arrays, scalars), enough for the generated samples.
// Deterministic: the same data gives byte-identical text (the drift checks compare text).

export type Plain = string | number | boolean | null | undefined | readonly Plain[] | { readonly [key: string]: Plain };

/** A YAML scalar: plain when unambiguous, JSON-quoted otherwise. */
export function scalar(v: string | number | boolean): string {
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const plain = /^(--?[A-Za-z]|[A-Za-z_/])[A-Za-z0-9_./@-]*$/.test(v) && !/^(true|false|yes|no|on|off|null|y|n)$/i.test(v);
  return plain ? v : JSON.stringify(v);
}

function isScalar(v: Plain): v is string | number | boolean {
  return v !== undefined && v !== null && typeof v !== 'object';
}

/** Block-style YAML for plain data (maps, arrays, scalars); scalar arrays in flow style while they fit a line. */
export function yaml(v: Plain, indent = 0): string {
  const pad = ' '.repeat(indent);
  if (v === undefined || v === null) return ' null';
  if (isArray(v)) {
    if (v.length === 0) return ' []';
    const scalars = v.filter(isScalar);
    const flow = ` [${scalars.map(scalar).join(', ')}]`;
    if (scalars.length === v.length && indent + flow.length <= 110) return flow;
    return '\n' + v.map((x) => `${pad}- ${isScalar(x) ? scalar(x) : yaml(x, indent + 2).replace(/^\n\s*/, '')}`).join('\n');
  }
  if (typeof v === 'object') {
    const entries = Object.entries(v).filter((e): e is [string, Exclude<Plain, undefined>] => e[1] !== undefined);
    if (entries.length === 0) return ' {}';
    return '\n' + entries.map(([k, x]) => `${pad}${k}:${isScalar(x) ? ` ${scalar(x)}` : yaml(x, indent + 2)}`).join('\n');
  }
  return ` ${scalar(v)}`;
}

function isArray(v: Plain): v is readonly Plain[] {
  return Array.isArray(v);
}
