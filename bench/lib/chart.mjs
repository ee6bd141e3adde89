// Charts for the benchmark docs: a Vega-Lite spec compiled and rendered to SVG by vega + vega-lite
// (npm, installed outside the repo by bench/setup-peers.sh into $BENCH_PEERS_DIR/chart): headless, no
// browser and no native canvas (text is measured by estimate, which is fine for labels).
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PEERS_DIR } from './targets.mjs';

const CHART_MODULES = path.join(PEERS_DIR, 'chart/node_modules');

export function chartAvailable() {
  return existsSync(path.join(CHART_MODULES, 'vega-lite/package.json')) && existsSync(path.join(CHART_MODULES, 'vega/package.json'));
}

/**
 * The ES module entry of an npm package installed under CHART_MODULES (vega's and vega-lite's exports
 * differ in shape). Untyped: the packages live outside the repository, so their types are not available.
 * @param {string} name
 * @returns {Promise<any>}
 */
async function load(name) {
  const pkgDir = path.join(CHART_MODULES, name);
  const pkg = JSON.parse(await (await import('node:fs/promises')).readFile(path.join(pkgDir, 'package.json'), 'utf8'));
  const entry = pkg.exports?.['.']?.import ?? pkg.exports?.['.']?.default ?? pkg.module ?? pkg.main;
  const resolved = typeof entry === 'string' ? entry : entry?.default;
  return import(pathToFileURL(path.join(pkgDir, resolved)).href);
}

/**
 * Renders a Vega-Lite spec to an SVG string.
 * @param {object} spec
 * @returns {Promise<string>}
 */
export async function renderVegaLiteSvg(spec) {
  const [vega, vl] = await Promise.all([load('vega'), load('vega-lite')]);
  const compiled = vl.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
