// The OpenTelemetry MCP histograms on /metrics (mcp_server_operation_duration_seconds,
// mcp_server_session_duration_seconds), fed by every era and transport through the one place every
// request passes, with real SDK clients (v1: Streamable HTTP and legacy SSE; v2: 2026-07-28 incl. an
// MRTR round) in front of the fixture server; and bounded against a client inventing tool names.
import type { RunningBridge } from '../../bridge/bridge.js';
import { FIXTURE, bridgeFor, sseClient, streamableClient } from './bridge-harness.js';
import { modernClient } from './modern-clients.js';

async function scrape(bridge: RunningBridge, name: string): Promise<string[]> {
  const text = await bridge.metrics.registry.getSingleMetricAsString(name);
  return text.split('\n').filter((line) => line.startsWith(`${name}_count{`));
}

/** The count of the series whose labels include all of `labels`. */
function countOf(lines: string[], labels: Record<string, string>): number {
  const line = lines.find((l) => Object.entries(labels).every(([k, v]) => l.includes(`${k}="${v}"`)));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe.each([['per-session'], ['shared']])('semconv metrics, %s mode', (mode) => {
  let bridge: RunningBridge;
  beforeAll(async () => {
    bridge = await bridgeFor(FIXTURE, ['--session-mode', mode]);
  });
  afterAll(() => bridge.close(0));

  it('when 2025-era clients (Streamable HTTP and legacy SSE) and a 2026-07-28 client call tools, then each operation is in mcp_server_operation_duration_seconds with its method, tool, version and error', async () => {
    const { client } = await streamableClient(bridge.url);
    await client.listTools();
    await client.callTool({ name: 'echo', arguments: { message: 'hi' } });
    await client.callTool({ name: 'test_error_handling', arguments: {} });
    await client.close();

    const sse = await sseClient(bridge.sseUrl);
    await sse.client.callTool({ name: 'echo', arguments: { message: 'hi' } });
    await sse.client.close();

    const modern = await modernClient(bridge.url, { capabilities: { sampling: {} } });
    modern.setRequestHandler('sampling/createMessage', () => ({ role: 'assistant', content: { type: 'text', text: 'ok' }, model: 'm', stopReason: 'endTurn' }));
    await modern.callTool({ name: 'echo', arguments: { message: 'hi' } });
    await modern.callTool({ name: 'ask_sampling', arguments: { prompt: 'p' } }); // two rounds: input_required, then the result
    await modern.close();

    const lines = await scrape(bridge, 'mcp_server_operation_duration_seconds');
    expect(countOf(lines, { mcp_method_name: 'tools/list', mcp_protocol_version: '2025-11-25' })).toBe(1);
    // The SDK's SSE client also initializes with 2025-11-25: one echo per 2025-era transport.
    expect(countOf(lines, { mcp_method_name: 'tools/call', gen_ai_tool_name: 'echo', mcp_protocol_version: '2025-11-25', error_type: '', network_transport: 'tcp' })).toBe(2);
    expect(countOf(lines, { mcp_method_name: 'initialize', mcp_protocol_version: '2025-11-25' })).toBe(2);
    expect(countOf(lines, { gen_ai_tool_name: 'test_error_handling', error_type: 'tool_error' })).toBe(1);
    expect(countOf(lines, { mcp_method_name: 'server/discover', mcp_protocol_version: '2026-07-28' })).toBeGreaterThanOrEqual(1);
    expect(countOf(lines, { gen_ai_tool_name: 'echo', mcp_protocol_version: '2026-07-28' })).toBe(1);
    expect(countOf(lines, { gen_ai_tool_name: 'ask_sampling', mcp_protocol_version: '2026-07-28' })).toBe(2); // each MRTR round is an operation
    expect(lines.join('\n')).not.toMatch(/mcp_session_id/);
  });

  it('when 2025-era sessions end, then mcp_server_session_duration_seconds counts them by version', async () => {
    const before = countOf(await scrape(bridge, 'mcp_server_session_duration_seconds'), { mcp_protocol_version: '2025-11-25', error_type: '' });
    const { client, transport } = await streamableClient(bridge.url);
    await transport.terminateSession(); // DELETE: an ordinary end
    await client.close();
    const after = countOf(await scrape(bridge, 'mcp_server_session_duration_seconds'), { mcp_protocol_version: '2025-11-25', error_type: '', network_transport: 'tcp' });
    expect(after).toBe(before + 1);
  });
});

describe('cardinality', () => {
  let bridge: RunningBridge;
  beforeAll(async () => {
    bridge = await bridgeFor(FIXTURE, ['--session-mode', 'shared']);
  });
  afterAll(() => bridge.close(0));

  // 2,000 names through the real client and bridge (~6 s here; 10,000 took 28 s, too much for this
  // tier); bridge/telemetry/operations.test.ts folds 10,000 through the same Operations in 0.3 s.
  it('when a client calls 2,000 made-up tool names, then they all count under one _OTHER series and the series count stays bounded', async () => {
    const { client } = await streamableClient(bridge.url);
    await client.listTools();
    const seriesBefore = (await scrape(bridge, 'mcp_server_operation_duration_seconds')).length;
    const names = Array.from({ length: 2_000 }, (_, i) => `made-up-${i}`);
    // 50 at a time: a client hammering the bridge, not one waiting for each answer.
    for (let i = 0; i < names.length; i += 50) {
      await Promise.all(names.slice(i, i + 50).map((name) => client.callTool({ name, arguments: {} }).catch((err: unknown) => err)));
    }
    await client.close();
    const lines = await scrape(bridge, 'mcp_server_operation_duration_seconds');
    const made = lines.filter((l) => l.includes('tools/call'));
    expect(made).toHaveLength(1);
    expect(made[0]).toContain('gen_ai_tool_name="_OTHER"');
    expect(countOf(made, { gen_ai_tool_name: '_OTHER' })).toBe(2_000);
    expect(lines.length).toBe(seriesBefore + 1);
    expect(lines.join('\n')).not.toContain('made-up-');
  }, 120_000);
});
