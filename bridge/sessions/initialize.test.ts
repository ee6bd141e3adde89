import { bridgeInitialize, initializeFromDiscover, parseInitializeResult } from './initialize.js';
import { bridgeVersion } from '../version.js';

describe('the bridge initialize', () => {
  it('when built, then it asks for the latest 2025-era version with the capabilities given and the package version as clientInfo', () => {
    const req = bridgeInitialize('x', { sampling: {} });
    expect(req).toEqual({
      jsonrpc: '2.0',
      id: 'x',
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: { sampling: {} }, clientInfo: { name: 'mcp-bridge', version: bridgeVersion() } },
    });
  });

  it('when a server answers with an InitializeResult, then it is kept as sent, unknown keys included', () => {
    const result = { protocolVersion: '2025-06-18', capabilities: { tools: {} }, serverInfo: { name: 's', version: '1' }, extra: 1 };
    expect(parseInitializeResult(result)).toBe(result);
  });

  it.each([
    ['no serverInfo', { protocolVersion: '2025-06-18', capabilities: {} }],
    ['no protocolVersion', { capabilities: {}, serverInfo: { name: 's', version: '1' } }],
    ['not an object', 'ok'],
    ['nothing', undefined],
  ])('when a server answers with %s, then it is not taken for an InitializeResult', (_what, result) => {
    expect(parseInitializeResult(result)).toBeUndefined();
  });

  it('when a 2026-07-28 server was discovered, then 2025-era clients get its capabilities, serverInfo and instructions', () => {
    const init = initializeFromDiscover({ supportedVersions: ['2026-07-28'], capabilities: { tools: {} }, serverInfo: { name: 'm', version: '2' }, instructions: 'hi' });
    expect(init).toEqual({ protocolVersion: '2025-11-25', capabilities: { tools: {} }, serverInfo: { name: 'm', version: '2' }, instructions: 'hi' });
  });
});
