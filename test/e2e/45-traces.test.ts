// One tool call, one trace, on the cluster: the chart points every bridge at the OpenTelemetry Collector of
// samples/otelcol/ (telemetry.otlpEndpoint, set by ensureSystem). A real SDK client calls a tool with its
// own traceparent (2025-era: in the HTTP header; 2026-07-28: in params._meta); the collector's file then
// holds the bridge's SERVER span as the child of the client's span, with the MCP attributes, and the stdio
// server behind the bridge received the bridge span's context in params._meta.traceparent.
//
// The stdio server is a few lines of JSON-RPC inline (node -e, in the bridge image): it answers one tool,
// request_meta, with the _meta it received; no npm server reports that.
import { randomBytes } from 'node:crypto';
import { Client as ModernClient, StreamableHTTPClientTransport as ModernTransport } from '@modelcontextprotocol/client';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { kubectl, serviceUrl, waitFor, waitReady, waitServing } from './lib/kube.js';
import { textOf } from './lib/mcp.js';
import { MONITORING_NAMESPACE, applyManifest, deleteServer, ensureSystem } from './lib/system.js';

const NAME = `e2e-traces-${randomBytes(2).toString('hex')}`;
const hex = (bytes: number) => randomBytes(bytes).toString('hex');

/** A stdio MCP server (2025 revisions) whose one tool answers the request's params._meta as JSON. */
const ECHO_META_SERVER = `
const rl = require('readline').createInterface({ input: process.stdin });
const send = (m) => process.stdout.write(JSON.stringify(m) + '\\n');
rl.on('line', (line) => {
  const m = JSON.parse(line);
  if (m.id === undefined) return;
  if (m.method === 'initialize') return send({ jsonrpc: '2.0', id: m.id, result: { protocolVersion: m.params.protocolVersion, capabilities: { tools: {} }, serverInfo: { name: 'echo-meta', version: '1.0.0' } } });
  if (m.method === 'tools/list') return send({ jsonrpc: '2.0', id: m.id, result: { tools: [{ name: 'request_meta', inputSchema: { type: 'object' } }] } });
  if (m.method === 'tools/call') return send({ jsonrpc: '2.0', id: m.id, result: { content: [{ type: 'text', text: JSON.stringify(m.params._meta ?? null) }] } });
  if (m.method === 'ping') return send({ jsonrpc: '2.0', id: m.id, result: {} });
  send({ jsonrpc: '2.0', id: m.id, error: { code: -32601, message: 'Method not found' } });
});`;

const manifest = JSON.stringify({
  apiVersion: 'mcp.sidecar.dev/v1alpha1',
  kind: 'McpServer',
  metadata: { name: NAME },
  spec: { command: ['node', '-e', ECHO_META_SERVER], sessions: { mode: 'shared' } },
});

interface OtlpSpan { traceId: string; spanId: string; parentSpanId?: string; name: string; kind?: number; attributes?: { key: string; value: Record<string, unknown> }[] }
interface OtlpBatch { resourceSpans?: { resource?: { attributes?: { key: string; value: { stringValue?: string } }[] }; scopeSpans?: { spans?: OtlpSpan[] }[] }[] }

/** Every span in the collector's file, with its resource's service.name. */
async function collectorSpans(): Promise<(OtlpSpan & { service?: string })[]> {
  const text = await kubectl(['-n', MONITORING_NAMESPACE, 'exec', 'deploy/otel-collector', '--', 'cat', '/var/lib/otelcol/traces.jsonl']);
  const out: (OtlpSpan & { service?: string })[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    for (const rs of (JSON.parse(line) as OtlpBatch).resourceSpans ?? []) {
      const service = rs.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue;
      for (const ss of rs.scopeSpans ?? []) for (const s of ss.spans ?? []) out.push({ ...s, ...(service === undefined ? {} : { service }) });
    }
  }
  return out;
}

const attributesOf = (s: OtlpSpan): Record<string, unknown> =>
  Object.fromEntries((s.attributes ?? []).map((a) => [a.key, Object.values(a.value)[0]]));

/** The bridge's span of `tools/call request_meta` in this trace, once the collector has it (batched export). */
const serverSpan = (traceId: string) =>
  waitFor(`the bridge span of trace ${traceId} in the collector`, 90_000, async () =>
    (await collectorSpans()).find((s) => s.traceId === traceId && s.name === 'tools/call request_meta'), 2000);

let url = '';
beforeAll(async () => {
  await ensureSystem();
  await applyManifest(manifest);
  await waitReady(NAME, 300_000);
  url = await serviceUrl(NAME, '');
  await waitServing(url);
}, 600_000);

afterAll(async () => {
  await deleteServer(NAME);
}, 180_000);

describe('traces through the cluster to the OpenTelemetry Collector', () => {
  it('when a 2025-era SDK client sends its traceparent header, then the bridge span is its child in the collector and the stdio server got the bridge span', async () => {
    const traceId = hex(16);
    const clientSpan = hex(8);
    const client = new Client({ name: 'e2e-traces', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`), { requestInit: { headers: { traceparent: `00-${traceId}-${clientSpan}-01` } } }));
    const meta = JSON.parse(textOf(await client.callTool({ name: 'request_meta', arguments: {} }))) as { traceparent?: string } | null;
    await client.close();

    const span = await serverSpan(traceId);
    expect(span.parentSpanId).toBe(clientSpan);
    expect(span.kind).toBe(2); // SERVER
    expect(span.service).toBe(NAME);
    expect(attributesOf(span)).toMatchObject({ 'mcp.method.name': 'tools/call', 'gen_ai.tool.name': 'request_meta', 'network.transport': 'tcp' });
    expect(meta?.traceparent).toBe(`00-${traceId}-${span.spanId}-01`);
  }, 180_000);

  it('when a 2026-07-28 SDK v2 client puts its traceparent in params._meta, then the same holds without any session', async () => {
    const traceId = hex(16);
    const clientSpan = hex(8);
    const client = new ModernClient({ name: 'e2e-traces-modern', version: '1.0.0' }, { versionNegotiation: { mode: { pin: '2026-07-28' } } });
    await client.connect(new ModernTransport(new URL(`${url}/mcp`)));
    const result = await client.callTool({ name: 'request_meta', arguments: {}, _meta: { traceparent: `00-${traceId}-${clientSpan}-01` } });
    await client.close();
    const meta = JSON.parse(textOf(result)) as { traceparent?: string } | null;

    const span = await serverSpan(traceId);
    expect(span.parentSpanId).toBe(clientSpan);
    expect(attributesOf(span)).toMatchObject({ 'mcp.protocol.version': '2026-07-28', 'gen_ai.tool.name': 'request_meta' });
    expect(attributesOf(span)['mcp.session.id']).toBeUndefined();
    expect(meta?.traceparent).toBe(`00-${traceId}-${span.spanId}-01`);
  }, 180_000);
});
