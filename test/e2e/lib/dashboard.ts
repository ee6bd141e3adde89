// The chart's Grafana dashboard as data: every panel query, with Grafana's template variables replaced the
// way Grafana would for one namespace and all servers, ready to send to Prometheus's HTTP API. Pure.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './mcp.js';

export const DASHBOARD_PATH = join(ROOT, 'charts/mcp-sidecar-operator/files/dashboard.json');

interface Target { refId?: string; expr?: string }
interface Panel { id: number; type: string; title: string; targets?: Target[]; panels?: Panel[] }
interface Variable { name: string; type: string; query?: string | { query?: string } }
export interface Dashboard { panels: Panel[]; templating?: { list?: Variable[] } }

export interface PanelQuery { panelId: number; title: string; refId: string; expr: string }

export function loadDashboard(path = DASHBOARD_PATH): Dashboard {
  return JSON.parse(readFileSync(path, 'utf8')) as Dashboard;
}

/** Every target of every panel (rows included, collapsed or not), in dashboard order. */
export function panelQueries(d: Dashboard): PanelQuery[] {
  const panels = d.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
  return panels.flatMap((p) =>
    (p.targets ?? []).map((t) => {
      if (t.expr === undefined || t.expr.trim() === '') throw new Error(`panel ${String(p.id)} "${p.title}" target ${t.refId ?? '?'} has no expr`);
      return { panelId: p.id, title: p.title, refId: t.refId ?? '?', expr: t.expr };
    }));
}

/**
 * Replaces $name, ${name} and ${name:modifier} by the given values (regex-ready strings) and fails on a
 * variable left over, so a new variable in the dashboard cannot silently reach Prometheus as text.
 */
export function substitute(expr: string, values: Readonly<Record<string, string>>): string {
  const out = expr.replace(/\$\{(\w+)(?::\w+)?\}|\$(\w+)/g, (whole, braced: string | undefined, bare: string | undefined) => {
    const name = braced ?? bare ?? '';
    const v = values[name];
    if (v === undefined) throw new Error(`no value for the template variable ${whole} in: ${expr}`);
    return v;
  });
  return out;
}

/** The query variables (label_values(metric, label)) as PromQL that returns one series per value. */
export function variableQueries(d: Dashboard): { name: string; expr: string; label: string }[] {
  return (d.templating?.list ?? []).filter((v) => v.type === 'query').map((v) => {
    const q = typeof v.query === 'string' ? v.query : v.query?.query ?? '';
    const m = /^label_values\((.+),\s*(\w+)\)$/.exec(q.trim());
    if (m === null) throw new Error(`variable ${v.name}: only label_values(metric, label) is understood here, not ${q}`);
    return { name: v.name, expr: `group by (${m[2] ?? ''}) (${m[1] ?? ''})`, label: m[2] ?? '' };
  });
}
