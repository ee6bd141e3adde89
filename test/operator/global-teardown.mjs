// Jest globalTeardown of the `operator` project: stops the control plane global-setup.mjs started
// (kept on globalThis: Jest runs both hooks in its main process).
export default async function teardown() {
  const cp = globalThis.mcpControlPlane;
  globalThis.mcpControlPlane = undefined;
  await cp?.stop();
}
