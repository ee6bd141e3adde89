// Reads samples out of a Prometheus text exposition (a bridge's /metrics), for the tiers that count
// what a real bridge did (integration, e2e).

/** `name{a="x",b="y"} 3` → labels and value; lines of other metrics and comments are skipped. */
function samplesOf(text: string, name: string): { labels: Record<string, string>; value: number }[] {
  const out: { labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== '{' && rest[0] !== ' ') continue; // another metric with this prefix
    const labels: Record<string, string> = {};
    let valuePart = rest;
    if (rest[0] === '{') {
      const end = rest.indexOf('}');
      for (const m of rest.slice(1, end).matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[m[1] ?? ''] = m[2] ?? '';
      valuePart = rest.slice(end + 1);
    }
    out.push({ labels, value: Number(valuePart.trim().split(' ')[0]) });
  }
  return out;
}

/**
 * The sum of a metric's samples whose labels include `match` (0 when there are none: prom-client
 * shows a labelled counter only once something incremented it).
 */
export function metricValue(text: string, name: string, match: Record<string, string> = {}): number {
  return samplesOf(text, name)
    .filter((s) => Object.entries(match).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

/** GET <base>/metrics and read one metric (see metricValue). */
export async function scrape(baseUrl: string, name: string, match: Record<string, string> = {}): Promise<number> {
  const res = await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(10_000) });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`${baseUrl}/metrics: ${String(res.status)} ${text.slice(0, 200)}`);
  return metricValue(text, name, match);
}
