// Small statistics and table helpers for the benchmark.

/**
 * The p-th percentile (nearest rank) of ascending samples; NaN when there are none.
 * @param {readonly number[]} sorted
 * @param {number} p
 * @returns {number}
 */
export function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx] ?? NaN;
}

/**
 * @typedef {{ n: number, p50: number, p90: number, p99: number, max: number, mean: number }} Summary
 * @param {Iterable<number>} samples
 * @returns {Summary}
 */
export function summarize(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / (s.length || 1);
  return { n: s.length, p50: percentile(s, 50), p90: percentile(s, 90), p99: percentile(s, 99), max: s[s.length - 1] ?? NaN, mean };
}

export const ms = (/** @type {number} */ v, digits = 3) => (Number.isFinite(v) ? v.toFixed(digits) : '—');
export const mib = (/** @type {number} */ bytes) => (Number.isFinite(bytes) ? (bytes / 1024 / 1024).toFixed(1) : '—');
export const ratio = (/** @type {number} */ a, /** @type {number} */ b) => (Number.isFinite(a) && Number.isFinite(b) && b !== 0 ? `${(a / b).toFixed(2)}x` : '—');

/**
 * A GitHub-flavoured markdown table (also readable as plain text).
 * @param {readonly string[]} headers
 * @param {readonly (readonly unknown[])[]} rows
 */
export function table(headers, rows) {
  const cells = [headers, ...rows].map((r) => r.map((c) => String(c)));
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  const line = (/** @type {string[]} */ r) => `| ${r.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ')} |`;
  return [line(cells[0] ?? []), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...cells.slice(1).map(line)].join('\n');
}
