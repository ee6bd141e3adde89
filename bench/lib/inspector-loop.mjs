// The MCP Inspector CLI never ends its HTTP sessions (no DELETE, no GET stream): each run leaves a
// 2025-era session, and in per-session mode a server process, behind. --vanished-after is the answer
// (a session with no open stream and no request for that long is ended). This runs the CLI in a loop
// against a per-session bridge with a short --vanished-after and reads the process count before, at its
// peak during the loop, right after it and once the grace has passed: it must come back to the
// baseline, whatever the number of runs. Installed outside the repo by bench/setup-peers.sh (each
// version is 110-160 MB, too much for hack/setup.sh and every CI run).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { processTree } from './proc.mjs';
import { PEERS_DIR, startBridge } from './targets.mjs';

/** Versions the issue names (0.15, 2.12) and the newest 0.x; each in its own prefix (setup-peers.sh). */
export const INSPECTOR_VERSIONS = ['0.15.0', '0.22.0', '2.12.0'];
const inspectorBin = (/** @type {string} */ version) => path.join(PEERS_DIR, `inspector-${version}/node_modules/@modelcontextprotocol/inspector`, version.startsWith('0.') ? 'cli/build/cli.js' : 'clients/launcher/build/index.js');

/** @param {string} version */
export function inspectorInstalled(version) {
  return existsSync(inspectorBin(version));
}

/**
 * One CLI run; resolves {code, ms, stdout tail}.
 * @param {string} version
 * @param {string} url
 * @param {NodeJS.ProcessEnv} env
 * @returns {Promise<{ code: number | NodeJS.Signals | null, ms: number, out: string }>}
 */
function runCli(version, url, env) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [inspectorBin(version), '--cli', url, '--transport', 'http', '--method', 'tools/list'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out = (out + d).slice(-20_000)));
    child.stderr.on('data', (d) => (out = (out + d).slice(-20_000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? signal, ms: performance.now() - t0, out });
    });
  });
}

/** @param {string} url the bridge's /mcp */
async function sessionsActive(url) {
  const text = await (await fetch(url.replace(/\/mcp$/, '/metrics'))).text();
  return [...text.matchAll(/^mcp_bridge_sessions_active\{[^}]*\} (\d+)/gm)].reduce((a, m) => a + Number(m[1]), 0);
}

/**
 * For each installed version: a fresh per-session bridge (server-everything, --vanished-after
 * `vanishedAfter`), `runs` CLI runs one after another, then a wait of up to 4 x the grace for the
 * count to come back. Resolves one row per version (skipped versions say so).
 * @typedef {{ version: string, skipped: string }} SkippedRow
 * @typedef {object} InspectorRow
 * @property {string} version
 * @property {undefined} [skipped]
 * @property {number} runs
 * @property {number} failures
 * @property {string | undefined} firstFailure
 * @property {number} meanRunMs
 * @property {number} baseline processes in the bridge's tree before the loop
 * @property {number} peak
 * @property {number} afterLoop
 * @property {number} sessionsAfterLoop
 * @property {number} afterGrace
 * @property {number} sessionsAfterGrace
 * @property {number} backInMs
 * @property {boolean} ok
 * @param {{ runs?: number, vanishedAfter?: number, log?: (line: string) => void }} [options]
 * @returns {Promise<(SkippedRow | InspectorRow)[]>}
 */
export async function inspectorLoop({ runs = 20, vanishedAfter = 2, log = () => {} } = {}) {
  /** @type {(SkippedRow | InspectorRow)[]} */
  const rows = [];
  const home = mkdtempSync(path.join(os.tmpdir(), 'soak-inspector-home-'));
  // The 2.x CLI writes a catalog under $HOME: keep it out of the user's home.
  const env = { ...process.env, HOME: home, MCP_CATALOG_PATH: path.join(home, 'mcp.json') };
  try {
    for (const version of INSPECTOR_VERSIONS) {
      if (!inspectorInstalled(version)) {
        rows.push({ version, skipped: 'not installed (bench/setup-peers.sh inspector)' });
        continue;
      }
      const bridge = await startBridge({ server: 'everything', extraArgs: ['--vanished-after', String(vanishedAfter), '--drain-delay', '0'] });
      try {
        const count = () => processTree(bridge.proc.pid).length;
        const baseline = count();
        let peak = baseline;
        let failures = 0;
        /** @type {string | undefined} */
        let firstFailure;
        /** @type {number[]} */
        const times = [];
        for (let i = 0; i < runs; i++) {
          const r = await runCli(version, bridge.url, env);
          times.push(r.ms);
          if (r.code !== 0 || !r.out.includes('"echo"')) {
            failures++;
            firstFailure ??= `exit ${r.code}: ${r.out.slice(-300)}`;
          }
          peak = Math.max(peak, count());
        }
        const afterLoop = count();
        const sessionsAfterLoop = await sessionsActive(bridge.url);
        const t0 = performance.now();
        // Polling is the event here: the bridge's reaper has no outside signal.
        while (performance.now() - t0 < vanishedAfter * 4000 + 5000 && (count() > baseline || (await sessionsActive(bridge.url)) > 0)) {
          await new Promise((r) => setTimeout(r, 200));
        }
        const measured = {
          version,
          runs,
          failures,
          firstFailure,
          meanRunMs: Math.round(times.reduce((a, b) => a + b, 0) / times.length),
          baseline,
          peak,
          afterLoop,
          sessionsAfterLoop,
          afterGrace: count(),
          sessionsAfterGrace: await sessionsActive(bridge.url),
          backInMs: Math.round(performance.now() - t0),
        };
        const row = { ...measured, ok: measured.failures === 0 && measured.afterGrace === measured.baseline && measured.sessionsAfterGrace === 0 };
        log(`inspector ${version}: ${JSON.stringify(row)}`);
        rows.push(row);
      } finally {
        await bridge.proc.stop();
      }
    }
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
  return rows;
}
