import { jest } from '@jest/globals';
import { pino } from 'pino';
import type { JSONRPCMessage } from '../jsonrpc.js';
import { BridgeMetrics } from '../metrics.js';
import type { ReplyTarget } from '../sessions/reply-target.js';
import { Continuations } from './continuations.js';
import { GATHER_MS, ModernExchange } from './exchange.js';
import { RequestStateCodec } from './request-state.js';

/** A reply target that records what it got. */
function recorder(): ReplyTarget & { delivered: JSONRPCMessage[]; completed: JSONRPCMessage[] } {
  const delivered: JSONRPCMessage[] = [];
  const completed: JSONRPCMessage[] = [];
  return { delivered, completed, deliver: (m) => delivered.push(m), complete: (m) => completed.push(m), abandon: () => undefined };
}

function setup(capabilities: Record<string, unknown> = { sampling: {} }, logLevel?: 'info') {
  const metrics = new BridgeMetrics(false);
  const continuations = new Continuations<ModernExchange>(2, 60_000, metrics);
  const codec = new RequestStateCodec(Buffer.alloc(32, 1));
  const first = recorder();
  const exchange = new ModernExchange(
    'tools/call',
    'ask',
    { version: '2026-07-28', capabilities, clientInfo: undefined, logLevel },
    { id: 'c1', reply: first, progressToken: 'p1' },
    { continuations, codec, self: 'me:1', serverInfo: () => ({ name: 's', version: '1' }), metrics, log: pino({ level: 'silent' }) },
  );
  const ended: string[] = [];
  exchange.onEnd = (reason) => ended.push(reason);
  return { exchange, first, continuations, codec, ended };
}

const sampling = { jsonrpc: '2.0' as const, id: 41, method: 'sampling/createMessage', params: { messages: [], maxTokens: 5 } };

describe('a modern exchange', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });
  /** The round is answered once the gathering window has passed. */
  const gathered = (): void => {
    jest.advanceTimersByTime(GATHER_MS);
  };

  it('when the child asks for sampling, then the POST gets input_required with signed state, and the retry answers the child and gets the final result under its own id', () => {
    const { exchange, first, continuations, codec, ended } = setup();
    const childAnswers: unknown[] = [];
    exchange.serverRequest(sampling, (r) => childAnswers.push(r));
    expect(first.completed).toHaveLength(0);
    gathered();
    const result = (first.completed[0] as unknown as { result: { resultType: string; inputRequests: Record<string, { method: string }>; requestState: string } }).result;
    expect(result.resultType).toBe('input_required');
    expect(Object.values(result.inputRequests)[0]?.method).toBe('sampling/createMessage');
    expect(codec.verify(result.requestState, 'tools/call', Date.now(), 'ask')).toMatchObject({ ok: true, claims: { owner: 'me:1', continuation: exchange.id } });
    expect(continuations.size).toBe(1);

    const retry = recorder();
    const key = Object.keys(result.inputRequests)[0] ?? '';
    expect(continuations.take(exchange.id)).toBe(exchange);
    exchange.resume({ jsonrpc: '2.0', id: 'c2', method: 'tools/call', params: { inputResponses: { [key]: { role: 'assistant', content: { type: 'text', text: 'ok' }, model: 'm', resultType: 'complete' } } } }, retry);
    expect(childAnswers).toEqual([{ result: { role: 'assistant', content: { type: 'text', text: 'ok' }, model: 'm' } }]);

    exchange.upstreamReply.deliver({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 'p1', progress: 1 } });
    exchange.upstreamReply.complete({ jsonrpc: '2.0', id: 'c1', result: { content: [] } });
    expect(retry.delivered).toHaveLength(1);
    expect(retry.completed[0]).toMatchObject({ id: 'c2', result: { resultType: 'complete' } });
    expect(ended).toEqual(['completed']);
  });

  it('when the client did not declare the capability, then the child gets an error at once, and if the call then fails, the POST gets -32021 naming it', () => {
    const { exchange, first, ended } = setup({});
    const childAnswers: unknown[] = [];
    exchange.serverRequest(sampling, (r) => childAnswers.push(r));
    expect(childAnswers[0]).toMatchObject({ error: { code: -32601 } });
    expect(first.completed).toHaveLength(0);
    exchange.upstreamReply.complete({ jsonrpc: '2.0', id: 'c1', result: { content: [], isError: true } });
    expect(first.completed[0]).toMatchObject({ id: 'c1', error: { code: -32021, data: { requiredCapabilities: { sampling: {} } } } });
    expect(ended).toHaveLength(1);
  });

  it('when the child can do without the undeclared capability, then the call goes on and completes normally', () => {
    const { exchange, first } = setup({ sampling: {} });
    exchange.serverRequest({ jsonrpc: '2.0', id: 50, method: 'elicitation/create', params: { message: 'm', requestedSchema: {} } }, () => undefined);
    exchange.upstreamReply.complete({ jsonrpc: '2.0', id: 'c1', result: { content: [] } });
    expect(first.completed[0]).toMatchObject({ id: 'c1', result: { resultType: 'complete' } });
  });

  it('when the continuation expires, then the child\'s request gets an error and the exchange ends (its upstream request is cancelled by onEnd)', () => {
    const { exchange, ended } = setup();
    const childAnswers: unknown[] = [];
    exchange.serverRequest(sampling, (r) => childAnswers.push(r));
    gathered();
    exchange.expire();
    expect(childAnswers[0]).toMatchObject({ error: { code: -32603 } });
    expect(ended).toEqual(['MRTR continuation expired']);
  });

  it('when the open response stream closes, then the exchange is cancelled; a stale close of an earlier round is ignored', () => {
    const { exchange, first, ended } = setup();
    exchange.cancel(recorder());
    expect(ended).toEqual([]);
    exchange.cancel(first);
    expect(ended).toEqual(['cancelled by the client (response stream closed)']);
  });

  it('when the table is full, then the child\'s request is refused and the POST stays open', () => {
    const a = setup();
    const { exchange, first, continuations } = a;
    const b = setup();
    const c = setup();
    // Fill a shared table of 2 with two other exchanges.
    continuations.park(b.exchange);
    continuations.park(c.exchange);
    const childAnswers: unknown[] = [];
    exchange.serverRequest(sampling, (r) => childAnswers.push(r));
    gathered();
    expect(childAnswers[0]).toMatchObject({ error: { code: -32603 } });
    expect(first.completed).toHaveLength(0);
  });

  it('when the child asks three things at once, then they come in one round', () => {
    const { exchange, first } = setup({ sampling: {}, elicitation: {}, roots: {} });
    exchange.serverRequest(sampling, () => undefined);
    exchange.serverRequest({ jsonrpc: '2.0', id: 42, method: 'elicitation/create', params: { message: 'm', requestedSchema: {} } }, () => undefined);
    exchange.serverRequest({ jsonrpc: '2.0', id: 43, method: 'roots/list' }, () => undefined);
    gathered();
    expect(Object.keys((first.completed[0] as unknown as { result: { inputRequests: object } }).result.inputRequests)).toHaveLength(3);
  });

  it('when logs arrive, then only those at or above the request\'s level reach it; none without a level', () => {
    const leveled = setup({}, 'info');
    const log = (level: string): JSONRPCMessage => ({ jsonrpc: '2.0', method: 'notifications/message', params: { level, data: level } });
    expect(leveled.exchange.deliverUnrelated(log('debug'))).toBe(false);
    expect(leveled.exchange.deliverUnrelated(log('error'))).toBe(true);
    expect(setup({}).exchange.deliverUnrelated(log('error'))).toBe(false);
  });
});
