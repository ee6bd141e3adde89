// Prometheus's HTTP API (GET /api/v1/query, /api/v1/query_range): a query error throws with Prometheus's
// own message; results come back as plain series.
export interface Series { metric: Record<string, string>; values: [number, string][] }

interface ApiAnswer { status: 'success' | 'error'; errorType?: string; error?: string; data?: { resultType: string; result: unknown[] } }

async function api(base: string, path: string, params: Record<string, string>): Promise<{ resultType: string; result: unknown[] }> {
  const res = await fetch(`${base}${path}?${new URLSearchParams(params).toString()}`, { signal: AbortSignal.timeout(20_000) });
  const body = (await res.json()) as ApiAnswer;
  if (body.status !== 'success' || body.data === undefined) throw new Error(`Prometheus ${path} ${params.query ?? ''}: ${body.errorType ?? String(res.status)}: ${body.error ?? ''}`);
  return body.data;
}

/** An instant query; each series with its one value. */
export async function instant(base: string, query: string): Promise<Series[]> {
  const data = await api(base, '/api/v1/query', { query });
  if (data.resultType !== 'vector') throw new Error(`${query}: expected a vector, got ${data.resultType}`);
  return (data.result as { metric: Record<string, string>; value: [number, string] }[]).map((r) => ({ metric: r.metric, values: [r.value] }));
}

/** A range query over [startSec, endSec]. */
export async function range(base: string, query: string, startSec: number, endSec: number, stepSec: number): Promise<Series[]> {
  const data = await api(base, '/api/v1/query_range', { query, start: String(startSec), end: String(endSec), step: String(stepSec) });
  return data.result as Series[];
}

/** Whether any point of any series is a finite number (NaN, as a quantile of no requests gives, is no data). */
export const hasFiniteData = (series: Series[]): boolean => series.some((s) => s.values.some(([, v]) => Number.isFinite(Number(v))));
