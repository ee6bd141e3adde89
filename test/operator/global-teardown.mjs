// Jest globalTeardown of the `operator` project: stops the control plane global-setup.mjs started
// (kept on globalThis: Jest runs both hooks in its main process).
export default async function teardown() {
  /** @type {{ mcpControlPlane?: { stop(): Promise<void> } }} */
  const g = /** @type {any} */ (globalThis);
  const cp = g.mcpControlPlane;
  g.mcpControlPlane = undefined;
  if (cp === undefined) return;
  const t0 = performance.now();
  await cp.stop();
  process.stderr.write(`control plane stopped and removed in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
}
