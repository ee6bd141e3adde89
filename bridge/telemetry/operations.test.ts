import { pino } from 'pino';
import type { JSONRPCMessage, JsonRpcRequest } from '../jsonrpc.js';
import { BridgeMetrics } from '../metrics.js';
import type { ReplyTarget } from '../sessions/reply-target.js';
import { MAX_NAMES_PER_KIND } from './known-names.js';
import { Operations } from './operations.js';

const sink: ReplyTarget = { deliver: () => undefined, complete: () => undefined, abandon: () => undefined };
const VERSIONS = ['2026-07-28', '2025-11-25', '2025-06-18'];

function setup(): { ops: Operations; metrics: BridgeMetrics } {
  const metrics = new BridgeMetrics(false);
  return { ops: new Operations(metrics, undefined, pino({ level: 'silent' }), VERSIONS), metrics };
}

let nextId = 1;
function call(ops: Operations, method: string, params: Record<string, unknown>, response: (id: number) => JSONRPCMessage, protocolVersion = '2025-11-25'): void {
  const id = nextId++;
  const request: JsonRpcRequest = { jsonrpc: '2.0', id, method, params };
  ops.track(request, { sessionId: `session-${id}`, protocolVersion }, sink).complete(response(id));
}

const ok = (result: Record<string, unknown>) => (id: number): JSONRPCMessage => ({ jsonrpc: '2.0', id, result });
const unknownTool = (id: number): JSONRPCMessage => ({ jsonrpc: '2.0', id, error: { code: -32602, message: 'Tool not found' } });

async function series(metrics: BridgeMetrics): Promise<string[]> {
  const text = await metrics.registry.getSingleMetricAsString('mcp_server_operation_duration_seconds');
  return text.split('\n').filter((line) => line.startsWith('mcp_server_operation_duration_seconds_count{'));
}

describe('mcp_server_operation_duration_seconds', () => {
  it('when a client calls 10,000 made-up tool names, then they fold into one _OTHER series and the series count stays bounded', async () => {
    const { ops, metrics } = setup();
    call(ops, 'tools/list', {}, ok({ tools: [{ name: 'echo' }] }));
    for (let i = 0; i < 10_000; i++) call(ops, 'tools/call', { name: `made-up-${i}` }, unknownTool);
    call(ops, 'tools/call', { name: 'echo' }, ok({ content: [] }));
    const lines = await series(metrics);
    expect(lines).toHaveLength(3); // tools/list, tools/call echo, tools/call _OTHER with -32602
    expect(lines.find((l) => l.includes('gen_ai_tool_name="_OTHER"'))).toMatch(/error_type="-32602".*\} 10000$/);
    expect(lines.some((l) => l.includes('gen_ai_tool_name="echo"') && l.includes('error_type=""'))).toBe(true);
    expect(lines.join('\n')).not.toContain('session-');
  });

  it('when a tool the bridge never saw listed is called successfully, then it gets its own label (the client listed on another replica)', async () => {
    const { ops, metrics } = setup();
    call(ops, 'tools/call', { name: 'cached-elsewhere' }, ok({ content: [] }));
    call(ops, 'tools/call', { name: 'cached-elsewhere' }, ok({ content: [], isError: true }));
    const lines = await series(metrics);
    expect(lines.filter((l) => l.includes('gen_ai_tool_name="cached-elsewhere"'))).toHaveLength(2);
    expect(lines.some((l) => l.includes('error_type="tool_error"'))).toBe(true);
  });

  it('when a server lists more names than the cap, then names beyond it fold into _OTHER', () => {
    const { ops } = setup();
    const tools = Array.from({ length: MAX_NAMES_PER_KIND + 50 }, (_, i) => ({ name: `t${i}` }));
    call(ops, 'tools/list', {}, ok({ tools }));
    expect(ops.names.size('tool')).toBe(MAX_NAMES_PER_KIND);
    expect(ops.names.label('tool', `t${MAX_NAMES_PER_KIND + 10}`)).toBe('_OTHER');
    expect(ops.names.label('tool', 't0')).toBe('t0');
  });

  it('when prompts and resources are used, then their names label the series only once listed', async () => {
    const { ops, metrics } = setup();
    call(ops, 'resources/read', { uri: 'file:///unlisted' }, ok({ contents: [] }));
    call(ops, 'resources/list', {}, ok({ resources: [{ uri: 'file:///listed', name: 'l' }] }));
    call(ops, 'resources/read', { uri: 'file:///listed' }, ok({ contents: [] }));
    call(ops, 'prompts/get', { name: 'p' }, ok({ messages: [] }));
    const lines = (await series(metrics)).join('\n');
    expect(lines).toContain('mcp_resource_uri="_OTHER"');
    expect(lines).toContain('mcp_resource_uri="file:///listed"');
    expect(lines).toContain('gen_ai_prompt_name="p"'); // a successful get proves it, like a tool call
  });

  it('when a request is abandoned (client cancelled), then it is counted once with error_type cancelled', async () => {
    const { ops, metrics } = setup();
    const reply = ops.track({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'slow' } }, {}, sink);
    reply.abandon();
    reply.complete({ jsonrpc: '2.0', id: 1, result: {} });
    const lines = await series(metrics);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/error_type="cancelled".*\} 1$/);
  });

  it('when the labels are made, then the protocol version is bounded, network_transport is tcp and unknown methods fold', () => {
    const { ops } = setup();
    expect(ops.labels('made/up', undefined, { errorType: undefined, statusCode: undefined, message: undefined }, { protocolVersion: 'bogus' })).toEqual({
      mcp_method_name: '_OTHER',
      gen_ai_tool_name: '',
      gen_ai_prompt_name: '',
      mcp_resource_uri: '',
      error_type: '',
      mcp_protocol_version: '_OTHER',
      network_transport: 'tcp',
    });
  });

  it('when tracing is off, then the reply carries no trace context (nothing is injected upstream)', () => {
    const { ops } = setup();
    expect(ops.track({ jsonrpc: '2.0', id: 1, method: 'tools/list' }, {}, sink).traceContext).toBeUndefined();
    expect(ops.tracing).toBe(false);
  });
});
