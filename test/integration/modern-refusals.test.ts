// Protocol 2026-07-28 on the wire: every refusal the bridge owes a modern request, with its exact HTTP
// status and JSON-RPC code (basic/transports/streamable-http.mdx "Server Validation", versioning.mdx,
// patterns/mrtr.mdx), in both session modes. Raw HTTP, so nothing a client SDK does hides the answer.
import type { RunningBridge } from '../../bridge/bridge.js';
import { FIXTURE, JSON_HEADERS, bridgeFor, rawSession } from './bridge-harness.js';
import { CLIENT_CAPABILITIES_KEY, MODERN, PROTOCOL_VERSION_KEY, envelope, headerValue, modernPost, textOfResult, type JsonRpc } from './modern-clients.js';

const MODES = [['per-session'], ['shared']] as const;
const NON_ASCII_TOOL = 'outil_été_☃';

const call = (id: number, name: string, args: Record<string, unknown> = {}, meta = envelope()): JsonRpc => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args, _meta: meta },
});

describe.each(MODES)('2026-07-28 refusals, %s mode', (mode) => {
  let bridge: RunningBridge;
  beforeAll(async () => {
    bridge = await bridgeFor(FIXTURE, ['--session-mode', mode]);
  });
  afterAll(() => bridge.close(0));

  const expectRefusal = (reply: { status: number; body: JsonRpc | undefined }, status: number, code: number, id: unknown): void => {
    expect({ status: reply.status, code: reply.body?.error?.code, id: reply.body?.id }).toEqual({ status, code, id });
  };

  it('when every header matches the body, then the call is served (the baseline the refusals below differ from)', async () => {
    const reply = await modernPost(bridge.url, call(1, 'echo', { message: 'fine' }));
    expect(reply.status).toBe(200);
    expect(reply.body?.result).toMatchObject({ resultType: 'complete', content: [{ type: 'text', text: 'fine' }] });
  });

  it('when MCP-Protocol-Version differs from the body version, then 400 with -32020 HeaderMismatch', async () => {
    const reply = await modernPost(bridge.url, call(2, 'echo', { message: 'x' }), { headers: { 'mcp-protocol-version': '2025-11-25' } });
    expectRefusal(reply, 400, -32020, 2);
  });

  it('when Mcp-Method differs from the body method, then 400 with -32020', async () => {
    const reply = await modernPost(bridge.url, call(3, 'echo', { message: 'x' }), { headers: { 'mcp-method': 'tools/list' } });
    expectRefusal(reply, 400, -32020, 3);
  });

  it('when Mcp-Method differs only in case, then 400 with -32020 (values are case-sensitive)', async () => {
    const reply = await modernPost(bridge.url, call(4, 'echo', { message: 'x' }), { headers: { 'mcp-method': 'Tools/Call' } });
    expectRefusal(reply, 400, -32020, 4);
  });

  it('when Mcp-Name differs from the tool name, then 400 with -32020 and the tool never runs', async () => {
    const reply = await modernPost(bridge.url, call(5, 'echo', { message: 'x' }), { headers: { 'mcp-name': 'crash' } });
    expectRefusal(reply, 400, -32020, 5);
    // Had the bridge trusted either value, one of these would show it: echo answered, or the child died.
    expect((await modernPost(bridge.url, call(6, 'echo', { message: 'alive' }))).body?.result).toMatchObject({ content: [{ text: 'alive' }] });
  });

  it('when Mcp-Name differs from the resource uri of resources/read, then 400 with -32020', async () => {
    const read: JsonRpc = { jsonrpc: '2.0', id: 7, method: 'resources/read', params: { uri: 'test://static-text', _meta: envelope() } };
    expectRefusal(await modernPost(bridge.url, read, { headers: { 'mcp-name': 'test://static-binary' } }), 400, -32020, 7);
    expect((await modernPost(bridge.url, read)).body?.result).toMatchObject({ resultType: 'complete', contents: [{ uri: 'test://static-text' }] });
  });

  it('when Mcp-Name differs from the prompt name of prompts/get, then 400 with -32020', async () => {
    const get: JsonRpc = { jsonrpc: '2.0', id: 8, method: 'prompts/get', params: { name: 'test_simple_prompt', _meta: envelope() } };
    expectRefusal(await modernPost(bridge.url, get, { headers: { 'mcp-name': 'test_prompt_with_image' } }), 400, -32020, 8);
  });

  it('when a non-ASCII tool name comes base64-encoded in Mcp-Name and matches, then it passes the check (the child then says the tool is unknown)', async () => {
    const reply = await modernPost(bridge.url, call(9, NON_ASCII_TOOL));
    expect(headerValue(NON_ASCII_TOOL)).toBe(`=?base64?${Buffer.from(NON_ASCII_TOOL).toString('base64')}?=`);
    // Not a header refusal: whatever the child answers about an unknown tool, it is not -32020 and not 400.
    expect(reply.status).not.toBe(400);
    expect(reply.body?.error?.code).not.toBe(-32020);
    expect(JSON.stringify(reply.body)).toContain(NON_ASCII_TOOL);
  });

  it('when a base64 Mcp-Name decodes to another name, then 400 with -32020', async () => {
    const other = `=?base64?${Buffer.from('outil_hiver_☃').toString('base64')}?=`;
    expectRefusal(await modernPost(bridge.url, call(10, NON_ASCII_TOOL), { headers: { 'mcp-name': other } }), 400, -32020, 10);
  });

  it('when a base64 Mcp-Name encodes an ASCII name that matches, then it is accepted like the plain form', async () => {
    const reply = await modernPost(bridge.url, call(11, 'echo', { message: 'b64' }), { headers: { 'mcp-name': `=?base64?${Buffer.from('echo').toString('base64')}?=` } });
    expect(reply.body?.result).toMatchObject({ content: [{ text: 'b64' }] });
  });

  it('when Mcp-Name carries a non-ASCII name raw (not base64), then 400 with -32020', async () => {
    // fetch refuses non-Latin-1 header values, so the raw bytes go in as Latin-1 (the UTF-8 bytes of "é").
    const raw = Buffer.from(NON_ASCII_TOOL, 'utf8').toString('latin1');
    expectRefusal(await modernPost(bridge.url, call(12, NON_ASCII_TOOL), { headers: { 'mcp-name': raw } }), 400, -32020, 12);
  });

  it('when Mcp-Param-Region (x-mcp-header of region_echo) matches the argument, plain or base64, then the call is served', async () => {
    const plain = await modernPost(bridge.url, call(41, 'region_echo', { region: 'us-west1', query: 'q' }), { headers: { 'mcp-param-region': 'us-west1' } });
    expect(plain.body?.result).toMatchObject({ content: [{ text: 'us-west1: q' }] });
    const encoded = await modernPost(bridge.url, call(42, 'region_echo', { region: 'Zürich', query: 'q' }), { headers: { 'mcp-param-region': headerValue('Zürich') } });
    expect(encoded.body?.result).toMatchObject({ content: [{ text: 'Zürich: q' }] });
  });

  it('when Mcp-Param-Region differs from the argument, then 400 with -32020', async () => {
    expectRefusal(await modernPost(bridge.url, call(43, 'region_echo', { region: 'us-west1', query: 'q' }), { headers: { 'mcp-param-region': 'eu-central1' } }), 400, -32020, 43);
  });

  it('when the argument of an x-mcp-header parameter is in the body but Mcp-Param-Region is missing, then 400 with -32020', async () => {
    expectRefusal(await modernPost(bridge.url, call(44, 'region_echo', { region: 'us-west1', query: 'q' })), 400, -32020, 44);
  });

  it('when Mcp-Param-Region is malformed base64, then 400 with -32020', async () => {
    expectRefusal(await modernPost(bridge.url, call(45, 'region_echo', { region: 'us-west1', query: 'q' }), { headers: { 'mcp-param-region': '=?base64?not*base64?=' } }), 400, -32020, 45);
  });

  it('when Mcp-Method is missing, then 400 with -32020', async () => {
    expectRefusal(await modernPost(bridge.url, call(13, 'echo', { message: 'x' }), { omit: ['mcp-method'] }), 400, -32020, 13);
  });

  it('when Mcp-Name is missing on tools/call, then 400 with -32020', async () => {
    expectRefusal(await modernPost(bridge.url, call(14, 'echo', { message: 'x' }), { omit: ['mcp-name'] }), 400, -32020, 14);
  });

  it('when MCP-Protocol-Version is missing on a request with the 2026-07-28 envelope, then 400 with -32020', async () => {
    expectRefusal(await modernPost(bridge.url, call(15, 'echo', { message: 'x' }), { omit: ['mcp-protocol-version'] }), 400, -32020, 15);
  });

  it('when the version is one the bridge does not serve, then 400 with -32022 listing the supported versions', async () => {
    const future = call(16, 'echo', { message: 'x' }, { ...envelope(), [PROTOCOL_VERSION_KEY]: '2099-01-01' });
    const reply = await modernPost(bridge.url, future);
    expectRefusal(reply, 400, -32022, 16);
    const data = reply.body?.error?.data as { supported?: unknown; requested?: unknown } | undefined;
    expect(data?.supported).toEqual(expect.arrayContaining([MODERN]));
    expect(data?.requested).toBe('2099-01-01');
  });

  it('when the envelope lacks clientCapabilities, then 400 with -32602', async () => {
    const meta = Object.fromEntries(Object.entries(envelope()).filter(([key]) => key !== CLIENT_CAPABILITIES_KEY));
    expectRefusal(await modernPost(bridge.url, call(17, 'echo', { message: 'x' }, meta)), 400, -32602, 17);
  });

  it('when a 2026-07-28 request carries a batch, then 400 with -32600', async () => {
    const res = await fetch(bridge.url, {
      method: 'POST',
      headers: { ...JSON_HEADERS, 'mcp-protocol-version': MODERN, 'mcp-method': 'tools/list' },
      body: JSON.stringify([
        { jsonrpc: '2.0', id: 18, method: 'tools/list', params: { _meta: envelope() } },
        { jsonrpc: '2.0', id: 19, method: 'tools/list', params: { _meta: envelope() } },
      ]),
    });
    const body = (await res.json()) as JsonRpc;
    expect({ status: res.status, code: body.error?.code }).toEqual({ status: 400, code: -32600 });
  });

  it('when a removed method (ping, logging/setLevel, resources/subscribe) comes with the envelope, then 404 with -32601', async () => {
    for (const [id, method, params] of [
      [20, 'ping', {}],
      [21, 'logging/setLevel', { level: 'debug' }],
      [22, 'resources/subscribe', { uri: 'test://watched-resource' }],
    ] as const) {
      const reply = await modernPost(bridge.url, { jsonrpc: '2.0', id, method, params: { ...params, _meta: envelope() } });
      expectRefusal(reply, 404, -32601, id);
    }
  });

  it('when GET or DELETE arrives without a session, then 405', async () => {
    const get = await fetch(bridge.url, { method: 'GET', headers: { accept: 'text/event-stream', 'mcp-protocol-version': MODERN } });
    const del = await fetch(bridge.url, { method: 'DELETE', headers: { 'mcp-protocol-version': MODERN } });
    await Promise.all([get.text(), del.text()]);
    expect([get.status, del.status]).toEqual([405, 405]);
  });

  it('when a 2026-07-28 request carries Mcp-Session-Id and Last-Event-ID, then they are ignored: served, no session minted or echoed', async () => {
    const stranger = await modernPost(bridge.url, call(23, 'echo', { message: 'no session' }), {
      headers: { 'mcp-session-id': 'not-a-session-of-this-bridge', 'last-event-id': '42' },
    });
    expect(stranger.status).toBe(200);
    expect(stranger.body?.result).toMatchObject({ content: [{ text: 'no session' }] });
    expect(stranger.headers.get('mcp-session-id')).toBeNull();
    // A real 2025 session id on a modern request is ignored too: the request is not routed into that session.
    const session = await rawSession(bridge.url);
    const real = await modernPost(bridge.url, call(24, 'echo', { message: 'still modern' }), { headers: { 'mcp-session-id': session } });
    expect(real.body?.result).toMatchObject({ resultType: 'complete', content: [{ text: 'still modern' }] });
    expect(real.headers.get('mcp-session-id')).toBeNull();
    await fetch(bridge.url, { method: 'DELETE', headers: { 'mcp-session-id': session } });
  });

  describe('requestState', () => {
    // A fresh bridge per test: in shared mode a continuation left waiting (a child request with no answer
    // yet) makes the next child request ambiguous, which is a different behaviour than the one tested here.
    let bridge: RunningBridge;
    beforeEach(async () => {
      bridge = await bridgeFor(FIXTURE, ['--session-mode', mode]);
    });
    afterEach(() => bridge.close(0));
    const sampling = { [CLIENT_CAPABILITIES_KEY]: { sampling: {} } };
    const answer = { role: 'assistant', content: { type: 'text', text: 'ok' }, model: 'm', stopReason: 'endTurn' };
    /** Starts ask_sampling: the child waits for the client's answer, the client holds inputRequests + requestState. */
    const firstRound = async (id: number): Promise<{ key: string; state: string }> => {
      const reply = await modernPost(bridge.url, call(id, 'ask_sampling', { prompt: `round ${id}` }, envelope({ sampling: {} })));
      const result = reply.body?.result as { resultType: string; inputRequests: Record<string, { method: string }>; requestState: string };
      expect(result.resultType).toBe('input_required');
      const [key] = Object.keys(result.inputRequests);
      expect(result.inputRequests[key ?? '']?.method).toBe('sampling/createMessage');
      expect(typeof result.requestState).toBe('string');
      return { key: key ?? '', state: result.requestState };
    };
    const retry = (id: number, name: string, key: string, state: string) =>
      modernPost(bridge.url, {
        jsonrpc: '2.0',
        id,
        method: 'tools/call',
        params: { name, arguments: { prompt: 'retry' }, inputResponses: { [key]: answer }, requestState: state, _meta: { ...envelope(), ...sampling } },
      });

    it('when the requestState is forged, then the retry is refused with -32602', async () => {
      const { key, state } = await firstRound(30);
      const reply = await retry(31, 'ask_sampling', key, 'forged-state');
      expect(reply.body?.error?.code).toBe(-32602);
      // The waiting call survives the forged attempt.
      expect((await retry(39, 'ask_sampling', key, state)).body?.result).toMatchObject({ resultType: 'complete' });
    });

    it('when the requestState was tampered with, then the retry is refused with -32602; the untouched state completes the call', async () => {
      const { key, state } = await firstRound(32);
      const flipped = `${state.slice(0, -2)}${state.at(-2) === 'A' ? 'B' : 'A'}${state.slice(-1)}`;
      expect((await retry(33, 'ask_sampling', key, flipped)).body?.error?.code).toBe(-32602);
      const done = await retry(34, 'ask_sampling', key, state);
      expect(done.body?.result).toMatchObject({ resultType: 'complete' });
      expect(JSON.parse(textOfResult(done.body?.result))).toMatchObject({ content: { type: 'text', text: 'ok' } });
    });

    it('when a requestState minted by another bridge (another key) is presented, then it is refused with -32602', async () => {
      const other = await bridgeFor(FIXTURE, ['--session-mode', mode]);
      try {
        const reply = await modernPost(other.url, call(35, 'ask_sampling', {}, envelope({ sampling: {} })));
        const foreign = (reply.body?.result as { requestState: string; inputRequests: Record<string, unknown> } | undefined) ?? { requestState: '', inputRequests: {} };
        const [key] = Object.keys(foreign.inputRequests);
        expect((await retry(36, 'ask_sampling', key ?? 'x', foreign.requestState)).body?.error?.code).toBe(-32602);
      } finally {
        await other.close(0);
      }
    });

    it('when a requestState is presented on another tool than the one that got it, then it is refused with -32602', async () => {
      const { key, state } = await firstRound(37);
      const elsewhere = await retry(38, 'ask_elicitation', key, state);
      expect({ code: elsewhere.body?.error?.code, result: elsewhere.body?.result }).toEqual({ code: -32602, result: undefined });
      expect((await retry(40, 'ask_sampling', key, state)).body?.result).toMatchObject({ resultType: 'complete' });
    });
  });
});
