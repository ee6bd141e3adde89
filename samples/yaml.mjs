// A tiny block-style YAML writer for plain data (maps, arrays, scalars), enough for the generated samples.
// Deterministic: the same data gives byte-identical text (the drift checks compare text).

/**
 * A YAML scalar: plain when unambiguous, JSON-quoted otherwise.
 * @param {unknown} v
 * @returns {string}
 */
export function scalar(v) {
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const s = String(v);
  const plain = /^(--?[A-Za-z]|[A-Za-z_/])[A-Za-z0-9_./@-]*$/.test(s) && !/^(true|false|yes|no|on|off|null|y|n)$/i.test(s);
  return plain ? s : JSON.stringify(s);
}

/**
 * Block-style YAML for plain data (maps, arrays, scalars); scalar arrays in flow style while they fit a line.
 * @param {unknown} v
 * @returns {string}
 */
export function yaml(v, indent = 0) {
  const pad = ' '.repeat(indent);
  if (Array.isArray(v)) {
    if (v.length === 0) return ' []';
    const flow = ` [${v.map(scalar).join(', ')}]`;
    if (v.every((x) => typeof x !== 'object') && indent + flow.length <= 110) return flow;
    return '\n' + v.map((x) => `${pad}- ${typeof x === 'object' ? yaml(x, indent + 2).replace(/^\n\s*/, '') : scalar(x)}`).join('\n');
  }
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v).filter(([, x]) => x !== undefined);
    if (entries.length === 0) return ' {}';
    return '\n' + entries.map(([k, x]) => `${pad}${k}:${typeof x === 'object' ? yaml(x, indent + 2) : ' ' + scalar(x)}`).join('\n');
  }
  return ' ' + scalar(v);
}
