// docs/reliability.md#sessions-that-outlive-their-pod: a stopping replica hands its shared-mode sessions'
// subscriptions and log levels to its peers (--peers), so the replica that adopts a session resumes them.
// Real bridges in front of the real fixture server, the official SDK client behind a load balancer.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ResourceUpdatedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { HANDOFF_PATH } from '../../bridge/http/peer-handoff.js';
import { encodeHandoff } from '../../bridge/sessions/handoff.js';
import { SharedSession } from '../../bridge/sessions/shared-session.js';
import type { RunningBridge } from '../../bridge/bridge.js';
import { FIXTURE, bridgeFor, rawSession, roundRobin, sessionPost, streamableClient, textOf, until } from './bridge-harness.js';

const WATCHED = 'test://watched-resource';

function keyFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bridge-key-'));
  writeFileSync(join(dir, 'key'), `handoff key ${dir}\n`);
  return join(dir, 'key');
}

const shared = (key: string, ...more: string[]) => ['--session-mode', 'shared', '--session-key-file', key, ...more];

async function metricsOf(bridge: RunningBridge): Promise<string> {
  return bridge.metrics.registry.metrics();
}

/** A handoff POST signed the way a peer signs it (with `signer`'s key), with what the test wants to vary. */
function postHandoff(to: RunningBridge, body: string, signer: RunningBridge, sentAt = Date.now()): Promise<Response> {
  const at = String(sentAt);
  return fetch(to.url.replace('/mcp', HANDOFF_PATH), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-mcp-bridge-sent-at': at, 'x-mcp-bridge-signature': signer.hub.ids.sign('session-handoff', `${at}\n${body}`) },
    body,
  });
}

describe('a stopping replica hands its sessions over', () => {
  it("when an SDK client's owner replica scales away, then the replica that adopts its session keeps its subscription and log level", async () => {
    const key = keyFile();
    const survivor = await bridgeFor(FIXTURE, shared(key));
    const owner = await bridgeFor(FIXTURE, shared(key, '--peers', `127.0.0.1:${String(survivor.port)}`));
    // initialize reaches the owner; from then on requests land on both replicas, as behind a Service.
    const lb = await roundRobin([owner.url.replace('/mcp', '')]);
    const { client, transport } = await streamableClient(`${lb.url}/mcp`);
    const updated: string[] = [];
    client.setNotificationHandler(ResourceUpdatedNotificationSchema, (n) => void updated.push(n.params.uri));
    lb.backends.push(survivor.url.replace('/mcp', ''));
    await client.subscribeResource({ uri: WATCHED });
    await client.setLoggingLevel('warning');
    expect(textOf(await client.callTool({ name: 'update_resource', arguments: { uri: WATCHED } }))).toBe('updated');
    await until('the first update', () => updated.length === 1);
    const id = transport.sessionId ?? '';
    expect(owner.hub.get(id)).toBeDefined();
    expect(survivor.hub.get(id)).toBeUndefined();

    // Scale-down: the Service routes only to the survivor, and the owner drains and stops.
    lb.backends.splice(0, lb.backends.length, survivor.url.replace('/mcp', ''));
    await owner.close(0);
    expect(await metricsOf(owner)).toMatch(/^mcp_bridge_session_handoffs_total\{stage="sent"\} 1$/m);
    expect(await metricsOf(survivor)).toMatch(/^mcp_bridge_session_handoffs_total\{stage="received"\} 1$/m);

    // The same session, no new initialize, and the survivor's server process is subscribed for it.
    expect(textOf(await client.callTool({ name: 'update_resource', arguments: { uri: WATCHED } }))).toBe('updated');
    await until('the update after the handoff', () => updated.length === 2);
    expect(updated).toEqual([WATCHED, WATCHED]);
    expect(transport.sessionId).toBe(id);
    const adopted = survivor.hub.get(id);
    expect(adopted).toBeInstanceOf(SharedSession);
    expect((adopted as SharedSession).logLevel).toBe('warning');
    expect(await metricsOf(survivor)).toMatch(/^mcp_bridge_session_handoffs_total\{stage="applied"\} 1$/m);
    await client.close();
    await lb.close();
    await survivor.close(0);
  });

  it('when a replica comes up after the handoff went out, then it asks its peers and the session resumes its subscription there too', async () => {
    const key = keyFile();
    const survivor = await bridgeFor(FIXTURE, shared(key));
    const peers = ['--peers', `127.0.0.1:${String(survivor.port)}`];
    const owner = await bridgeFor(FIXTURE, shared(key, ...peers));
    const session = await rawSession(owner.url, '2025-06-18');
    const call = (url: string, id: number, method: string, params: Record<string, unknown>) => sessionPost(url, session, id, method, params);
    expect((await call(owner.url, 1, 'resources/subscribe', { uri: WATCHED })).status).toBe(200);
    await owner.close(0); // hands the session to the survivor, the only peer there is yet
    const late = await bridgeFor(FIXTURE, shared(key, ...peers));
    const res = await call(late.url, 2, 'tools/call', { name: 'update_resource', arguments: { uri: WATCHED } });
    // An SSE answer: the notification (no GET stream open, so it rides on this request's), then the result.
    const text = await res.text();
    expect(text).toContain('notifications/resources/updated');
    expect(text).toContain('"text":"updated"');
    expect(await metricsOf(late)).toMatch(/^mcp_bridge_session_handoffs_total\{stage="pulled"\} 1$/m);
    expect(await metricsOf(late)).toMatch(/^mcp_bridge_session_handoffs_total\{stage="applied"\} 1$/m);
    await Promise.all([late.close(0), survivor.close(0)]);
  });

  it('when no peer is given, then the adopting replica starts the session without its subscription (what --peers is for)', async () => {
    const key = keyFile();
    const [a, b] = await Promise.all([1, 2].map(() => bridgeFor(FIXTURE, shared(key))));
    if (a === undefined || b === undefined) throw new Error('replicas');
    const session = await rawSession(a.url, '2025-06-18');
    const call = (url: string, id: number, method: string, params: Record<string, unknown>) => sessionPost(url, session, id, method, params);
    expect((await call(a.url, 1, 'resources/subscribe', { uri: WATCHED })).status).toBe(200);
    await a.close(0);
    const res = await call(b.url, 2, 'tools/call', { name: 'update_resource', arguments: { uri: WATCHED } });
    expect(JSON.stringify(await res.json())).toContain('not subscribed');
    await b.close(0);
  });

  it('when a peer does not answer, then the stopping replica still stops (the handoff is bounded) and says so', async () => {
    const key = keyFile();
    const silent = createServer(() => undefined); // takes the request, never answers
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const a = await bridgeFor(FIXTURE, shared(key, '--peers', `127.0.0.1:${String((silent.address() as AddressInfo).port)}`));
    const session = await rawSession(a.url, '2025-06-18');
    const subscribed = await sessionPost(a.url, session, 1, 'resources/subscribe', { uri: WATCHED });
    expect(subscribed.status).toBe(200);
    await a.close(0);
    expect(await metricsOf(a)).not.toMatch(/^mcp_bridge_session_handoffs_total\{stage="sent"\}/m);
    silent.closeAllConnections();
    await new Promise((resolve) => silent.close(resolve));
  });
});

describe('the handoff endpoint', () => {
  let a: RunningBridge;
  let b: RunningBridge;
  let stranger: RunningBridge;
  beforeAll(async () => {
    const key = keyFile();
    [a, b] = (await Promise.all([1, 2].map(() => bridgeFor(FIXTURE, shared(key))))) as [RunningBridge, RunningBridge];
    stranger = await bridgeFor(FIXTURE, shared(keyFile()));
  });
  afterAll(async () => {
    await Promise.all([a.close(0), b.close(0), stranger.close(0)]);
  });

  it('when a peer signed it, then a session adopted later resumes what it carried', async () => {
    const session = await rawSession(a.url, '2025-06-18');
    const res = await postHandoff(b, encodeHandoff([{ id: session, subscriptions: [WATCHED] }]), a);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ taken: 1 });
    // b adopts the session (as when its owner is gone: the relay path is the first describe's) and its
    // process is subscribed for it.
    b.hub.adopt(session, { protocolVersion: '2025-06-18', capabilities: {} });
    const call = await sessionPost(b.url, session, 2, 'tools/call', { name: 'update_resource', arguments: { uri: WATCHED } });
    expect(await call.text()).toContain('updated');
  });

  it('when it is not signed with the same key, or stale, then 403 with a JSON-RPC error and nothing is taken', async () => {
    const session = await rawSession(a.url, '2025-06-18');
    const body = encodeHandoff([{ id: session, subscriptions: [WATCHED] }]);
    const foreign = await postHandoff(b, body, stranger);
    expect(foreign.status).toBe(403);
    expect(await foreign.json()).toMatchObject({ jsonrpc: '2.0', error: { code: -32000, message: expect.stringContaining('not signed') as string } });
    const stale = await postHandoff(b, body, a, Date.now() - 120_000);
    expect(stale.status).toBe(403);
    expect(await stale.json()).toMatchObject({ error: { message: expect.stringContaining('stale') as string } });
    const unsigned = await fetch(b.url.replace('/mcp', HANDOFF_PATH), { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(unsigned.status).toBe(403);
    await unsigned.text();
    expect(b.hub.get(session)).toBeUndefined();
  });

  it('when the body is not a handoff, or the ids are not genuine, then 400, or nothing is taken', async () => {
    const bad = await postHandoff(b, '{"hello":1}', a);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: -32600 } });
    const forged = await postHandoff(b, encodeHandoff([{ id: 'forged.id.parts.mac', subscriptions: [WATCHED] }]), a);
    expect(await forged.json()).toEqual({ taken: 0 });
  });

  it('when it is neither a POST nor a GET, or the bridge runs per-session mode, then 405 or 404', async () => {
    const put = await fetch(b.url.replace('/mcp', HANDOFF_PATH), { method: 'PUT' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, POST');
    await put.text();
    const perSession = await bridgeFor(FIXTURE, []);
    const res = await postHandoff(perSession, encodeHandoff([]), perSession);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { message: expect.stringContaining('per-session') as string } });
    await perSession.close(0);
  });

  it('when a peer asks for a session, then it gets the handoff kept here only with a valid signature, else 403, and 404 for a session it does not know', async () => {
    const session = await rawSession(a.url, '2025-06-18');
    expect((await postHandoff(b, encodeHandoff([{ id: session, logLevel: 'error', subscriptions: [WATCHED] }]), a)).status).toBe(200);
    const ask = (id: string, signer: RunningBridge) => {
      const at = String(Date.now());
      return fetch(`${b.url.replace('/mcp', HANDOFF_PATH)}?session=${encodeURIComponent(id)}`, {
        headers: { 'x-mcp-bridge-sent-at': at, 'x-mcp-bridge-signature': signer.hub.ids.sign('session-handoff-pull', `${at}\n${id}`) },
      });
    };
    const found = await ask(session, a);
    expect(found.status).toBe(200);
    expect(await found.json()).toEqual({ sessions: [{ id: session, logLevel: 'error', subscriptions: [WATCHED] }] });
    const foreign = await ask(session, stranger);
    expect(foreign.status).toBe(403);
    await foreign.text();
    const unknown = await ask(await rawSession(a.url, '2025-06-18'), a);
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: -32001 } });
  });
});
