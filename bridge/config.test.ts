import { parseConfig } from './config.js';

describe('parseConfig with the standard OTEL_* env and the identity options', () => {
  it('when parseConfig gets such an environment and the identity flags, then the config carries them', () => {
    const parsed = parseConfig(['--mcp-server-name', 'filesystem', '--', 'node', 'x.js'], { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318', MCP_BRIDGE_MCP_SERVER_NAMESPACE: 'tools' });
    expect(parsed.kind === 'config' ? [parsed.config.otlpTracesUrl, parsed.config.mcpServerName, parsed.config.mcpServerNamespace] : []).toEqual(['http://c:4318/v1/traces', 'filesystem', 'tools']);
  });
});
