import { JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';
import { parseBody, parseLine, validateMessage } from './jsonrpc.js';

// Shapes on both sides of every boundary between the union's four members.
const CASES: [string, unknown][] = [
  ['request', { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', _meta: { progressToken: 't' } } }],
  ['request with a string id', { jsonrpc: '2.0', id: 'a', method: 'ping' }],
  ['request with a fractional id', { jsonrpc: '2.0', id: 1.5, method: 'ping' }],
  ['request with a null id', { jsonrpc: '2.0', id: null, method: 'ping' }],
  ['request with params that are not an object', { jsonrpc: '2.0', id: 1, method: 'ping', params: [1] }],
  ['request with an extra top-level key', { jsonrpc: '2.0', id: 1, method: 'ping', extra: true }],
  ['request with a bad progress token', { jsonrpc: '2.0', id: 1, method: 'ping', params: { _meta: { progressToken: {} } } }],
  ['notification', { jsonrpc: '2.0', method: 'notifications/initialized' }],
  ['notification with a non-string method', { jsonrpc: '2.0', method: 7 }],
  ['result response', { jsonrpc: '2.0', id: 1, result: { content: [] } }],
  ['result response without id', { jsonrpc: '2.0', result: {} }],
  ['result response with a non-object result', { jsonrpc: '2.0', id: 1, result: 5 }],
  ['response with both result and error', { jsonrpc: '2.0', id: 1, result: {}, error: { code: 1, message: 'x' } }],
  ['response with method and result', { jsonrpc: '2.0', id: 1, method: 'x', result: {} }],
  ['error response', { jsonrpc: '2.0', id: 1, error: { code: -32601, message: 'nope' } }],
  ['error response without id', { jsonrpc: '2.0', error: { code: -32700, message: 'parse' } }],
  ['error response with a bad error', { jsonrpc: '2.0', id: 1, error: { code: 'x' } }],
  ['wrong jsonrpc version', { jsonrpc: '1.0', id: 1, method: 'ping' }],
  ['missing jsonrpc', { id: 1, method: 'ping' }],
  ['empty object', {}],
  ['array', [{ jsonrpc: '2.0', method: 'x' }]],
  ['null', null],
  ['string', 'hello'],
  ['number', 42],
];

describe('JSON-RPC validation', () => {
  it.each(CASES)('when the value is a %s, then it is accepted exactly when the SDK union schema accepts it', (_name, value) => {
    const union = JSONRPCMessageSchema.safeParse(value);
    const ours = validateMessage(value);
    expect(ours !== undefined).toBe(union.success);
    if (union.success) expect(ours).toEqual(union.data);
  });

  it('when a body or a line is not JSON or not JSON-RPC, then it is refused with the right code', () => {
    expect(parseBody('{')).toMatchObject({ ok: false, code: -32700 });
    expect(parseBody('{"jsonrpc":"2.0","id":1}')).toMatchObject({ ok: false, code: -32600 });
    expect(parseBody('[]')).toMatchObject({ ok: false, code: -32600 });
    expect(parseLine('not json')).toBeUndefined();
    expect(parseLine('{"jsonrpc":"2.0","id":1,"method":"x","oops":1}')).toBeUndefined();
    expect(parseLine('{"jsonrpc":"2.0","id":1,"result":{}}')).toEqual({ jsonrpc: '2.0', id: 1, result: {} });
  });
});
