// Shared-mode sessions outlive their pod (docs/reliability.md#sessions-that-outlive-their-pod): an
// McpServer in shared mode with 2 replicas; an official SDK client's 2025-era session lives on one pod;
// that pod is deleted; the client's next calls are answered by another replica, which adopted the
// session under the same id: no error, no new initialize. And on a scale-down, the replica that stops
// hands the session's subscription to the one that stays (the headless peer Service), which resumes it.
import { randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { NAMESPACE, endpointsSettled, kubectl, podsOf, serviceUrl, waitFor, waitReady, waitServing } from './lib/kube.js';
import { callText, fetchClose } from './lib/mcp.js';
import { applyManifest, deleteServer, ensureSystem } from './lib/system.js';
import { metricValue } from '../lib/prometheus.js';

const NAME = `e2e-adopt-${randomBytes(2).toString('hex')}`;
const manifest = `
apiVersion: mcp.sidecar.dev/v1alpha1
kind: McpServer
metadata: { name: ${NAME} }
spec:
  command: [npx, -y, "@modelcontextprotocol/server-everything"]
  replicas: 2
  env:
    - name: POD_NAME
      valueFrom: { fieldRef: { fieldPath: metadata.name } }
  sessions: { mode: shared }
`;

/** A resource of server-everything (its subscribe handler keeps any URI). */
const WATCHED = 'demo://resource/static/document/architecture.md';

/** The pod whose shared server process answered (server-everything's get-env). */
async function servedBy(c: Client): Promise<string> {
  const env = JSON.parse(await callText(c, 'get-env', {})) as Record<string, string>;
  return env.POD_NAME ?? '';
}

let url = '';
beforeAll(async () => {
  await ensureSystem();
  await applyManifest(manifest);
  await waitReady(NAME, 240_000);
  await endpointsSettled(NAME, 2);
  url = await serviceUrl(NAME, '');
  await waitServing(url);
}, 600_000);

afterAll(async () => {
  await deleteServer(NAME);
}, 180_000);

describe('a shared-mode session outlives its pod', () => {
  it('when the pod that owns a session is deleted, then the session keeps working on another replica, same id, no new initialize', async () => {
    const client = new Client({ name: 'e2e-adoption', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { fetch: fetchClose });
    await client.connect(transport);
    const id = transport.sessionId;
    // Every request is relayed to the owner: all answered there, whichever pod the Service picked.
    const owner = await servedBy(client);
    for (let i = 0; i < 4; i++) expect(await servedBy(client)).toBe(owner);

    await kubectl(['delete', 'pod', owner, '-n', NAMESPACE, '--wait=true', '--timeout=120s'], { timeoutMs: 130_000 });
    const after: string[] = [];
    for (let i = 0; i < 6; i++) after.push(await servedBy(client));
    expect(after.every((pod) => pod !== owner && pod !== '')).toBe(true);
    expect(transport.sessionId).toBe(id);
    expect(await callText(client, 'echo', { message: 'still here' })).toContain('still here');

    // The adoption is counted by the replica(s) that took the session over.
    const pods = (await podsOf(NAME)).filter((p) => p.metadata.deletionTimestamp === undefined);
    const adopted = await waitFor('an adoption in the metrics', 30_000, async () => {
      let n = 0;
      for (const p of pods) {
        const text = await (await fetch(`http://${p.status?.podIP ?? ''}:8080/metrics`, { signal: AbortSignal.timeout(5000) })).text();
        n += metricValue(text, 'mcp_bridge_sessions_adopted_total');
      }
      return n > 0 ? n : undefined;
    });
    expect(adopted).toBeGreaterThan(0);
    await client.close();
  }, 300_000);

  it("when the McpServer scales down and the session's owner is the pod removed, then its resource subscription carries on on the replica that stays", async () => {
    await endpointsSettled(NAME, 2);
    const client = new Client({ name: 'e2e-handoff', version: '1.0.0' });
    const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { fetch: fetchClose });
    const updated: string[] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updated.push(n.params.uri));
    await client.connect(transport);
    const owner = await servedBy(client);
    await client.subscribeResource({ uri: WATCHED });
    // The ReplicaSet removes the pod with the lowest deletion cost first: the owner, so this is the
    // scale-down that ends the session's pod (which pod goes is otherwise the controller's choice).
    await kubectl(['annotate', 'pod', owner, '-n', NAMESPACE, 'controller.kubernetes.io/pod-deletion-cost=-1000', '--overwrite']);
    await kubectl(['patch', 'mcpserver', NAME, '-n', NAMESPACE, '--type=merge', '-p', '{"spec":{"replicas":1}}']);
    await waitFor(`the owner pod ${owner} gone`, 180_000, async () => ((await podsOf(NAME)).some((p) => p.metadata.name === owner) ? undefined : true));
    const survivor = (await podsOf(NAME))[0]?.metadata.name ?? '';

    // server-everything sends updates for what its process is subscribed to once this is turned on: the
    // survivor's process is subscribed only if the handoff reached it (without: no update ever comes).
    expect(await callText(client, 'toggle-subscriber-updates', {})).toContain('Started');
    await waitFor('a resources/updated notification after the scale-down', 30_000, () => Promise.resolve(updated.length > 0 ? true : undefined));
    expect(updated[0]).toBe(WATCHED);
    expect(await servedBy(client)).toBe(survivor);
    expect(transport.sessionId).not.toBeUndefined();
    const metrics = await (await fetch(`http://${(await podsOf(NAME))[0]?.status?.podIP ?? ''}:8080/metrics`, { signal: AbortSignal.timeout(5000) })).text();
    expect(metricValue(metrics, 'mcp_bridge_session_handoffs_total', { stage: 'received' })).toBeGreaterThan(0);
    expect(metricValue(metrics, 'mcp_bridge_session_handoffs_total', { stage: 'applied' })).toBeGreaterThan(0);
    await client.close();
  }, 300_000);
});
