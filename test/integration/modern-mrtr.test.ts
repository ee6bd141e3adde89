// MRTR (basic/patterns/mrtr.mdx) on raw HTTP: a 2025-era child's sampling/elicitation/roots request during
// a 2026-07-28 call becomes an input_required result, and the client's retry resumes the waiting call.
// Both session modes; one bridge per test so a continuation left waiting never affects the next one.
import type { RunningBridge } from '../../bridge/bridge.js';
import { FIXTURE, bridgeFor, until } from './bridge-harness.js';
import { SERVER_INFO_KEY, envelope, modernPost, openStream, textOfResult, type JsonRpc } from './modern-clients.js';

const MODES = [['per-session'], ['shared']] as const;
const ALL_INPUTS = { sampling: {}, elicitation: {}, roots: {} };

interface InputRequired {
  resultType: 'input_required';
  inputRequests: Record<string, { method: string; params: Record<string, unknown> }>;
  requestState: string;
  [key: string]: unknown;
}

const tool = (id: number, name: string, args: Record<string, unknown>, extra: Record<string, unknown> = {}, capabilities: Record<string, unknown> = ALL_INPUTS): JsonRpc => ({
  jsonrpc: '2.0',
  id,
  method: 'tools/call',
  params: { name, arguments: args, ...extra, _meta: envelope(capabilities) },
});

describe.each(MODES)('MRTR through the bridge, %s mode', (mode) => {
  let bridge: RunningBridge;
  const start = async (flags: string[] = []): Promise<void> => {
    bridge = await bridgeFor(FIXTURE, ['--session-mode', mode, ...flags]);
  };
  afterEach(() => bridge.close(0));

  const inputRequired = async (message: JsonRpc): Promise<InputRequired> => {
    const reply = await modernPost(bridge.url, message);
    expect(reply.body?.result?.resultType).toBe('input_required');
    return reply.body?.result as InputRequired;
  };

  it('when the child asks for sampling, then the call answers input_required with that request as is, a requestState, serverInfo and no cache hints', async () => {
    await start();
    const result = await inputRequired(tool(1, 'ask_sampling', { prompt: 'exact prompt' }));
    const requests = Object.values(result.inputRequests);
    expect(requests).toEqual([{ method: 'sampling/createMessage', params: { messages: [{ role: 'user', content: { type: 'text', text: 'exact prompt' } }], maxTokens: 16 } }]);
    expect(typeof result.requestState).toBe('string');
    expect(result._meta).toMatchObject({ [SERVER_INFO_KEY]: { name: 'mcp-sidecar-fixture' } });
    expect(result).not.toHaveProperty('ttlMs');
    expect(result).not.toHaveProperty('cacheScope');
  });

  it('when the client did not declare the capability the child needs, then 400 with -32021 naming it, and the child is not left waiting', async () => {
    await start();
    const reply = await modernPost(bridge.url, tool(2, 'ask_sampling', {}, {}, { elicitation: {} }));
    expect({ status: reply.status, code: reply.body?.error?.code, data: reply.body?.error?.data }).toEqual({ status: 400, code: -32021, data: { requiredCapabilities: { sampling: {} } } });
    // The child's call ended (it got an error for its request): the next one is asked normally.
    await inputRequired(tool(3, 'ask_sampling', {}));
  });

  it('when the retry lacks the requested input, then the client is asked again; the full retry completes the call', async () => {
    await start();
    const first = await inputRequired(tool(4, 'ask_elicitation', { message: 'name?' }));
    const again = await inputRequired(tool(5, 'ask_elicitation', { message: 'name?' }, { inputResponses: { unrelated: { action: 'accept', content: {} } }, requestState: first.requestState }));
    expect(Object.values(again.inputRequests)).toEqual(Object.values(first.inputRequests));
    const [keyAgain] = Object.keys(again.inputRequests);
    const done = await modernPost(bridge.url, tool(6, 'ask_elicitation', { message: 'name?' }, { inputResponses: { [keyAgain ?? '']: { action: 'decline' } }, requestState: again.requestState }));
    expect(done.body?.result?.resultType).toBe('complete');
    expect(JSON.parse(textOfResult(done.body?.result))).toEqual({ action: 'decline' });
  });

  it('when the child asks twice in turn, then there are two rounds with different requestStates and the third POST completes', async () => {
    await start();
    const round1 = await inputRequired(tool(7, 'test_input_required_result_multi_round', {}));
    const [k1] = Object.keys(round1.inputRequests);
    const round2 = await inputRequired(tool(8, 'test_input_required_result_multi_round', {}, { inputResponses: { [k1 ?? '']: { action: 'accept', content: { name: 'Alice' } } }, requestState: round1.requestState }));
    expect(round2.requestState).not.toBe(round1.requestState);
    expect(Object.values(round2.inputRequests)[0]?.params).toMatchObject({ message: 'Step 2: What is your favorite color?' });
    const [k2] = Object.keys(round2.inputRequests);
    const done = await modernPost(bridge.url, tool(9, 'test_input_required_result_multi_round', {}, { inputResponses: { [k2 ?? '']: { action: 'accept', content: { color: 'blue' } } }, requestState: round2.requestState }));
    expect(textOfResult(done.body?.result)).toBe('Alice likes blue');
    // The first round's state was used up: presenting it again is refused.
    const replay = await modernPost(bridge.url, tool(10, 'test_input_required_result_multi_round', {}, { inputResponses: { [k1 ?? '']: { action: 'accept', content: { name: 'Eve' } } }, requestState: round1.requestState }));
    expect(replay.body?.error?.code).toBe(-32602);
  });

  it('when the child asks for elicitation, sampling and roots at once, then all three come in one input_required and one retry completes the call', async () => {
    // Shared mode relays roots only with --relay-roots (a shared server must not widen its roots for everyone).
    await start(mode === 'shared' ? ['--relay-roots'] : []);
    const round = await inputRequired(tool(11, 'test_input_required_result_multiple_inputs', {}));
    expect(Object.values(round.inputRequests).map((r) => r.method).sort()).toEqual(['elicitation/create', 'roots/list', 'sampling/createMessage']);
    const answers: Record<string, unknown> = {};
    for (const [key, r] of Object.entries(round.inputRequests)) {
      answers[key] =
        r.method === 'elicitation/create'
          ? { action: 'accept', content: { name: 'Bo' } }
          : r.method === 'sampling/createMessage'
            ? { role: 'assistant', content: { type: 'text', text: 'hey' }, model: 'm', stopReason: 'endTurn' }
            : { roots: [{ uri: 'file:///r', name: 'r' }] };
    }
    const done = await modernPost(bridge.url, tool(12, 'test_input_required_result_multiple_inputs', {}, { inputResponses: answers, requestState: round.requestState }));
    expect(textOfResult(done.body?.result)).toBe('name=Bo; greeting=hey; roots=1');
  });

  it('when a subscriptions/listen stream is open, then it does not make a call\'s sampling request ambiguous (a listen stream causes no server requests)', async () => {
    await start();
    const stream = await openStream(bridge.url, { jsonrpc: '2.0', id: 'idle-listener', method: 'subscriptions/listen', params: { notifications: { toolsListChanged: true }, _meta: envelope() } });
    try {
      await stream.next('the acknowledgement', () => true);
      const round = await inputRequired(tool(16, 'ask_sampling', { prompt: 'with a listener open' }));
      const [key] = Object.keys(round.inputRequests);
      const done = await modernPost(bridge.url, tool(17, 'ask_sampling', {}, { inputResponses: { [key ?? '']: { role: 'assistant', content: { type: 'text', text: 'fine' }, model: 'm' } }, requestState: round.requestState }));
      expect(done.body?.result?.resultType).toBe('complete');
    } finally {
      stream.close();
    }
  });

  it('when another client abandoned its input_required round (clients may never retry), then a new call can still ask its client', async () => {
    await start();
    await inputRequired(tool(18, 'ask_elicitation', { message: 'never answered' }));
    const round = await inputRequired(tool(19, 'ask_sampling', { prompt: 'asked after an abandoned round' }));
    const [key] = Object.keys(round.inputRequests);
    const done = await modernPost(bridge.url, tool(20, 'ask_sampling', {}, { inputResponses: { [key ?? '']: { role: 'assistant', content: { type: 'text', text: 'answered' }, model: 'm' } }, requestState: round.requestState }));
    expect(JSON.parse(textOfResult(done.body?.result))).toMatchObject({ content: { text: 'answered' } });
  });

  it('when no retry comes within --mrtr-timeout, then the state is refused with -32602 afterwards and the child is free for the next call', async () => {
    await start(['--mrtr-timeout', '1']);
    const first = await inputRequired(tool(13, 'ask_sampling', {}));
    const [key] = Object.keys(first.inputRequests);
    await until(
      'the continuation expired',
      async () => /mcp_bridge_mrtr_total\{outcome="expired"\} 1\n/.test(await (await fetch(bridge.url.replace('/mcp', '/metrics'))).text()),
      5_000,
    );
    const late = await modernPost(bridge.url, tool(14, 'ask_sampling', {}, { inputResponses: { [key ?? '']: { role: 'assistant', content: { type: 'text', text: 'late' }, model: 'm' } }, requestState: first.requestState }));
    expect(late.body?.error?.code).toBe(-32602);
    await inputRequired(tool(15, 'ask_sampling', {}));
  });
});

describe('MRTR through the bridge, per-session worker pool', () => {
  it('when as many rounds are abandoned as there are --modern-workers, then a new call is still served promptly', async () => {
    const bridge = await bridgeFor(FIXTURE, ['--modern-workers', '2']);
    try {
      for (const [id, message] of [[21, 'abandoned 1'], [22, 'abandoned 2']] as const) {
        const round = await modernPost(bridge.url, tool(id, 'ask_elicitation', { message }));
        expect(round.body?.result?.resultType).toBe('input_required');
      }
      // Abandoned rounds wait for --mrtr-timeout (300 s by default); new traffic must not wait for them.
      const reply = await modernPost(bridge.url, tool(23, 'echo', { message: 'still served' }), { signal: AbortSignal.timeout(5_000) });
      expect(textOfResult(reply.body?.result)).toBe('still served');
    } finally {
      await bridge.close(0);
    }
  });
});
