// 2026-07-28 requests across replicas that share one session key (like the pods of one McpServer):
// a modern call needs no owner, so any replica serves it and none is relayed; only an MRTR retry has
// one (the replica whose legacy child waits for the client's input), and the retry is relayed there
// from wherever it lands, after its signed requestState is verified. Both session modes.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningBridge } from '../../bridge/bridge.js';
import { RequestStateCodec } from '../../bridge/modern/request-state.js';
import { scrape } from '../lib/prometheus.js';
import { readRpc, type RpcResponse } from '../lib/rpc-response.js';
import { FIXTURE, bridgeFor, modernPost, textOf } from './bridge-harness.js';

const SAMPLING = { sampling: {} };
const base = (b: RunningBridge) => b.url.replace(/\/mcp$/, '');
const relayed = (b: RunningBridge, reason: string) => scrape(base(b), 'mcp_bridge_relayed_total', { reason });
const modernRequests = (b: RunningBridge) => scrape(base(b), 'mcp_bridge_http_requests_total', { era: 'modern' });

/** A modern tools/call of the fixture's ask_sampling (the client offers sampling). */
async function askSampling(b: RunningBridge, id: number, prompt: string): Promise<RpcResponse> {
  return readRpc(await modernPost(b.url, id, 'tools/call', { name: 'ask_sampling', arguments: { prompt } }, { capabilities: SAMPLING }));
}

/** The input_required result's requestState and its one input request (asserting the shape). */
function inputRequired(r: RpcResponse): { requestState: string; key: string; request: { method: string; params: { messages: { content: { text: string } }[] } } } {
  expect(r.status).toBe(200);
  const result = r.message.result ?? {};
  expect(result.resultType).toBe('input_required');
  const requests = result.inputRequests as Record<string, { method: string; params: { messages: { content: { text: string } }[] } }>;
  const keys = Object.keys(requests);
  expect(keys).toHaveLength(1);
  const key = keys[0] ?? '';
  expect(typeof result.requestState).toBe('string');
  return { requestState: result.requestState as string, key, request: requests[key] ?? { method: '', params: { messages: [] } } };
}

/** The client's retry: same method, a new id, the sampled answer and the requestState. */
async function retry(b: RunningBridge, id: number, prompt: string, requestState: string, key: string, sampled: string): Promise<RpcResponse> {
  const answer = { role: 'assistant', content: { type: 'text', text: sampled }, model: 'test-model', stopReason: 'endTurn' };
  return readRpc(await modernPost(b.url, id, 'tools/call',
    { name: 'ask_sampling', arguments: { prompt }, requestState, inputResponses: { [key]: answer } }, { capabilities: SAMPLING }));
}

describe.each(['shared', 'per-session'] as const)('MRTR across replicas (%s mode)', (mode) => {
  let a: RunningBridge;
  let b: RunningBridge;
  let aClosed = false;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bridge-key-'));
    writeFileSync(join(dir, 'key'), `one key for every replica (${mode})\n`);
    const flags = ['--session-key-file', join(dir, 'key'), '--session-mode', mode];
    [a, b] = (await Promise.all([1, 2].map(() => bridgeFor(FIXTURE, flags)))) as [RunningBridge, RunningBridge];
  });
  afterAll(async () => {
    await Promise.all([aClosed ? undefined : a.close(0), b.close(0)]);
  });

  it('when a sampling call starts on A and its retry lands on B, then B relays it to A and the call completes with the sampled text', async () => {
    const first = inputRequired(await askSampling(a, 1, 'prompt-one'));
    expect(first.request.method).toBe('sampling/createMessage');
    expect(first.request.params.messages[0]?.content.text).toBe('prompt-one');
    expect(await scrape(base(a), 'mcp_bridge_mrtr_pending')).toBe(1);

    const done = await retry(b, 2, 'prompt-one', first.requestState, first.key, `sampled-${mode}`);
    expect(done.status).toBe(200);
    expect(done.message.id).toBe(2);
    expect(done.message.result?.resultType).toBe('complete');
    expect(done.message.result?.isError).toBeUndefined();
    const sampled = JSON.parse(textOf(done.message.result)) as { content: { text: string }; model: string };
    expect(sampled.content.text).toBe(`sampled-${mode}`);
    expect(sampled.model).toBe('test-model');

    expect(await relayed(b, 'request_state')).toBe(1);
    expect(await relayed(a, 'request_state')).toBe(0);
    expect(await scrape(base(a), 'mcp_bridge_mrtr_total', { outcome: 'resumed' })).toBe(1);
    expect(await scrape(base(a), 'mcp_bridge_mrtr_pending')).toBe(0);
    expect(await scrape(base(b), 'mcp_bridge_mrtr_total', { outcome: 'resumed' })).toBe(0);
  });

  it('when a tampered or forged requestState reaches B, then B refuses it (400, -32602) and relays nothing', async () => {
    const pending = inputRequired(await askSampling(a, 3, 'prompt-two'));
    const [version, payload, mac] = pending.requestState.split('.') as [string, string, string];
    // One character of the signature changed.
    const flipped = `${version}.${payload}.${mac.startsWith('A') ? `B${mac.slice(1)}` : `A${mac.slice(1)}`}`;
    // Well-formed and naming A, with A's live continuation, but signed with another key.
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as [string, string, string, number];
    const forged = new RequestStateCodec(Buffer.from('not the replicas key')).sign({ owner: claims[0], continuation: claims[1], method: claims[2], expiresAt: claims[3] });
    expect(claims[0]).toBe(new URL(a.url).host);
    const relaysBefore = await relayed(b, 'request_state');
    const aRequestsBefore = await modernRequests(a);

    for (const [i, state] of [flipped, forged].entries()) {
      const r = await retry(b, 10 + i, 'prompt-two', state, pending.key, 'never used');
      expect(r.status).toBe(400);
      expect(r.message.error?.code).toBe(-32602);
      expect(r.message.id).toBe(10 + i);
    }
    expect(await relayed(b, 'request_state')).toBe(relaysBefore);
    expect(await modernRequests(a)).toBe(aRequestsBefore);
    expect(await scrape(base(b), 'mcp_bridge_mrtr_total', { outcome: 'refused_state' })).toBe(2);
    // A's continuation was not touched: the genuine state still completes the call.
    const done = await retry(b, 12, 'prompt-two', pending.requestState, pending.key, 'genuine');
    expect((JSON.parse(textOf(done.message.result)) as { content: { text: string } }).content.text).toBe('genuine');
  });

  it('when modern calls go to B, then B serves them itself: nothing is relayed and A sees none of them', async () => {
    const relaysBefore = await relayed(b, 'request_state');
    const aBefore = await modernRequests(a);
    const bBefore = await modernRequests(b);
    for (let i = 0; i < 5; i++) {
      const r = await readRpc(await modernPost(b.url, 20 + i, 'tools/call', { name: 'echo', arguments: { message: `m${i}` } }));
      expect(r.status).toBe(200);
      expect(textOf(r.message.result)).toBe(`m${i}`);
    }
    expect(await modernRequests(b)).toBe(bBefore + 5);
    expect(await modernRequests(a)).toBe(aBefore);
    expect(await relayed(b, 'session')).toBe(0);
    expect(await relayed(b, 'request_state')).toBe(relaysBefore);
    expect(await relayed(a, 'session')).toBe(0);
  });

  it('when A is gone before the retry, then the retry sent to B gets 400 (-32602) promptly', async () => {
    const pending = inputRequired(await askSampling(a, 30, 'prompt-three'));
    await a.close(0);
    aClosed = true;
    const t0 = Date.now();
    const r = await retry(b, 31, 'prompt-three', pending.requestState, pending.key, 'too late');
    const tookMs = Date.now() - t0;
    expect(r.status).toBe(400);
    expect(r.message.error?.code).toBe(-32602);
    expect(r.message.error?.message).toMatch(/gone/);
    expect(tookMs).toBeLessThan(2000);
  });
});
