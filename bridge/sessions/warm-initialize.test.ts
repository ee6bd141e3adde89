import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import type { JsonRpcRequest } from '../jsonrpc.js';
import { matchesWarmInitialize } from './warm-initialize.js';

const init = (params: Record<string, unknown>): JsonRpcRequest => ({ jsonrpc: '2.0', id: 0, method: 'initialize', params });
const clientInfo = { name: 'c', version: '1' };

describe('matchesWarmInitialize', () => {
  it('when the client asks the warm version with no capabilities, then a pre-initialized process fits, whatever its clientInfo', () => {
    expect(matchesWarmInitialize(init({ protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo }))).toBe(true);
  });
  it('when the client declares any capability, asks another version, or sends other params, then it does not fit', () => {
    expect(matchesWarmInitialize(init({ protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: { roots: {} }, clientInfo }))).toBe(false);
    expect(matchesWarmInitialize(init({ protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: { experimental: {} }, clientInfo }))).toBe(false);
    expect(matchesWarmInitialize(init({ protocolVersion: '2025-06-18', capabilities: {}, clientInfo }))).toBe(false);
    expect(matchesWarmInitialize(init({ protocolVersion: LATEST_PROTOCOL_VERSION, capabilities: {}, clientInfo, _meta: { progressToken: 1 } }))).toBe(false);
    expect(matchesWarmInitialize(init({ protocolVersion: LATEST_PROTOCOL_VERSION, clientInfo }))).toBe(false);
    expect(matchesWarmInitialize({ jsonrpc: '2.0', id: 0, method: 'initialize' })).toBe(false);
  });
});
