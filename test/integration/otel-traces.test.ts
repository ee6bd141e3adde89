// One tool call, one trace: the client's span → the bridge's SERVER span → the stdio server, through
// a real OpenTelemetry Collector (hack/otelcol.sh: built with the Collector Builder from the Go module
// proxy; OTLP/HTTP in, file exporter out). The bridge runs in-process with the standard
// OTEL_EXPORTER_OTLP_ENDPOINT; official SDK clients (v1 for 2025 sessions, v2 for 2026-07-28) send
// their own traceparent; the fixture's request_meta tool answers the `_meta` it received, so the
// test sees exactly what the child was handed.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { pino } from 'pino';
import { startBridge, type RunningBridge } from '../../bridge/bridge.js';
import { parseConfig } from '../../bridge/config.js';
import { FIXTURE, ROOT, textOf, until } from './bridge-harness.js';
import { modernClient, textOfResult } from './modern-clients.js';

const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const MODERN_TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const CLIENT_SPAN = '00f067aa0ba902b7';
const HTTP_SPAN = '1111111111111111';

interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes?: { key: string; value: { stringValue?: string } }[];
  links?: { traceId: string; spanId: string }[];
  status?: { code?: number; message?: string };
}

/** A port nobody uses right now (bound on port 0, then released for the collector). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

function attributesOf(span: OtlpSpan): Record<string, string | undefined> {
  return Object.fromEntries((span.attributes ?? []).map((a) => [a.key, a.value.stringValue]));
}

describe('traces through a real OpenTelemetry Collector', () => {
  let collector: ChildProcess;
  let tracesFile: string;
  let endpoint: string;

  beforeAll(async () => {
    // Cached after the first build (hack/setup.sh builds it); prints the binary's path.
    const binary = execFileSync('bash', [join(ROOT, 'hack/otelcol.sh')], { encoding: 'utf8', timeout: 900_000 }).trim().split('\n').pop() ?? '';
    const dir = mkdtempSync(join(tmpdir(), 'otel-'));
    tracesFile = join(dir, 'traces.jsonl');
    const port = await freePort();
    endpoint = `http://127.0.0.1:${port}`;
    const config = join(dir, 'collector.yaml');
    writeFileSync(config, [
      'receivers:',
      '  otlp:',
      '    protocols:',
      '      http:',
      `        endpoint: 127.0.0.1:${port}`,
      'exporters:',
      '  file:',
      `    path: ${tracesFile}`,
      '    flush_interval: 100ms',
      'service:',
      '  telemetry:',
      '    metrics:',
      '      level: none',
      '  pipelines:',
      '    traces:',
      '      receivers: [otlp]',
      '      exporters: [file]',
      '',
    ].join('\n'));
    collector = spawn(binary, ['--config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    await new Promise<void>((resolve, reject) => {
      collector.stderr?.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes('Everything is ready')) resolve();
      });
      collector.once('exit', (code) => reject(new Error(`collector exited (${String(code)}): ${log}`)));
    });
  }, 900_000);

  afterAll(async () => {
    if (collector.exitCode !== null) return;
    const exited = new Promise((resolve) => collector.once('exit', resolve));
    collector.kill('SIGTERM');
    await exited;
  });

  /** Every span the collector wrote so far. */
  const spans = (): OtlpSpan[] => {
    if (!existsSync(tracesFile)) return [];
    const out: OtlpSpan[] = [];
    for (const line of readFileSync(tracesFile, 'utf8').split('\n')) {
      if (line.trim() === '') continue;
      const batch = JSON.parse(line) as { resourceSpans?: { scopeSpans?: { spans?: OtlpSpan[] }[] }[] };
      for (const rs of batch.resourceSpans ?? []) for (const ss of rs.scopeSpans ?? []) out.push(...(ss.spans ?? []));
    }
    return out;
  };

  async function tracedBridge(mode: string, extraEnv: Record<string, string> = {}): Promise<RunningBridge> {
    const parsed = parseConfig(['--session-mode', mode, '--port', '0', '--host', '127.0.0.1', '--mcp-server-name', 'fixture', '--', ...FIXTURE], { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, ...extraEnv });
    if (parsed.kind !== 'config') throw new Error('expected a config');
    return startBridge(parsed.config, { log: pino({ level: 'silent' }), environment: { PATH: process.env.PATH, HOME: process.env.HOME }, processMetrics: false });
  }

  it.each([['per-session'], ['shared']])(
    'when a 2025-era SDK client calls a tool with its traceparent in _meta (and another in the HTTP header), then one trace holds its span as the parent of the bridge SERVER span, the header span as a link, and the child got the bridge span (%s mode)',
    async (mode) => {
      const bridge = await tracedBridge(mode);
      const client = new Client({ name: 'otel-test', version: '1.0.0' });
      const transport = new StreamableHTTPClientTransport(new URL(bridge.url), { requestInit: { headers: { traceparent: `00-${TRACE_ID}-${HTTP_SPAN}-01` } } });
      await client.connect(transport);
      const sessionId = transport.sessionId;
      const tp = `00-${TRACE_ID}-${CLIENT_SPAN}-01`;
      const result = await client.callTool({ name: 'request_meta', arguments: {}, _meta: { traceparent: tp, tracestate: 'client=1' } });
      await client.close();
      await bridge.close(0); // flushes the bridge's spans to the collector

      const childMeta = JSON.parse(textOf(result)) as { traceparent?: string; tracestate?: string };
      let server: OtlpSpan | undefined;
      await until('the bridge span in the collector file', () => {
        server = spans().find((s) => s.traceId === TRACE_ID && s.name === 'tools/call request_meta' && attributesOf(s)['mcp.session.id'] === sessionId);
        return server !== undefined;
      }, 15_000);
      if (server === undefined) throw new Error('unreachable');
      expect(server.parentSpanId).toBe(CLIENT_SPAN);
      expect(server.kind).toBe(2); // SPAN_KIND_SERVER
      expect(server.links?.map((l) => [l.traceId, l.spanId])).toEqual([[TRACE_ID, HTTP_SPAN]]);
      expect(attributesOf(server)).toMatchObject({
        'mcp.method.name': 'tools/call',
        'gen_ai.tool.name': 'request_meta',
        'gen_ai.operation.name': 'execute_tool',
        'mcp.protocol.version': '2025-11-25',
        'network.transport': 'tcp',
        'mcp.session.id': sessionId,
      });
      // The child was handed the bridge's span (not the client's): its spans join below the bridge's.
      expect(childMeta.traceparent).toBe(`00-${TRACE_ID}-${server.spanId}-01`);
      expect(childMeta.tracestate).toBe('client=1');
      // The session's other operations (initialize) are in the collector too; with no traceparent of
      // their own but the header's, they continue the header's span.
      const initialize = spans().find((s) => s.name === 'initialize' && attributesOf(s)['mcp.session.id'] === sessionId);
      expect(initialize?.parentSpanId).toBe(HTTP_SPAN);
    },
    60_000,
  );

  it('when a 2026-07-28 SDK v2 client calls a tool with its traceparent in _meta, then the bridge span continues it and the child gets the bridge span', async () => {
    const bridge = await tracedBridge('per-session');
    const client = await modernClient(bridge.url);
    const result = await client.callTool({ name: 'request_meta', arguments: {}, _meta: { traceparent: `00-${MODERN_TRACE_ID}-${CLIENT_SPAN}-01` } });
    const unknown = await client.callTool({ name: 'no_such_tool', arguments: {}, _meta: { traceparent: `00-${MODERN_TRACE_ID}-${CLIENT_SPAN}-01` } }).catch((err: unknown) => err);
    await client.close();
    await bridge.close(0);

    const childMeta = JSON.parse(textOfResult(result)) as { traceparent?: string };
    let found: OtlpSpan[] = [];
    await until('the bridge spans of the modern calls', () => {
      found = spans().filter((s) => s.traceId === MODERN_TRACE_ID);
      return found.length >= 2;
    }, 15_000);
    const call = found.find((s) => s.name === 'tools/call request_meta');
    expect(call?.parentSpanId).toBe(CLIENT_SPAN);
    expect(attributesOf(call ?? ({} as OtlpSpan))).toMatchObject({ 'mcp.method.name': 'tools/call', 'mcp.protocol.version': '2026-07-28', 'network.transport': 'tcp' });
    expect(attributesOf(call ?? ({} as OtlpSpan))['mcp.session.id']).toBeUndefined();
    expect(childMeta.traceparent).toBe(`00-${MODERN_TRACE_ID}-${call?.spanId ?? ''}-01`);
    // A failed call: error.type on the span, status ERROR (semconv).
    const failed = found.find((s) => s.name === 'tools/call no_such_tool');
    expect(unknown).toBeDefined();
    expect(failed?.status?.code).toBe(2); // STATUS_CODE_ERROR
    expect(attributesOf(failed ?? ({} as OtlpSpan))['error.type']).toMatch(/^(-32602|tool_error)$/);
  }, 60_000);

  it('when OTEL_TRACES_SAMPLER is always_off, then nothing is exported but the child still gets a valid (unsampled) context of the trace', async () => {
    // The SDK reads the sampler from the process env when the bridge starts its provider.
    process.env.OTEL_TRACES_SAMPLER = 'always_off';
    let bridge: RunningBridge;
    try {
      bridge = await tracedBridge('per-session');
    } finally {
      delete process.env.OTEL_TRACES_SAMPLER;
    }
    const client = new Client({ name: 'otel-test', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(new URL(bridge.url)));
    const traceId = 'abcdefabcdefabcdefabcdefabcdef12';
    const result = await client.callTool({ name: 'request_meta', arguments: {}, _meta: { traceparent: `00-${traceId}-${CLIENT_SPAN}-01` } });
    await client.close();
    await bridge.close(0);
    const childMeta = JSON.parse(textOf(result)) as { traceparent?: string };
    expect(childMeta.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-00$`));
    expect(childMeta.traceparent).not.toContain(CLIENT_SPAN);
    // The earlier tests' spans are in the file (so it is being written); none of this trace is.
    expect(spans().length).toBeGreaterThan(0);
    expect(spans().some((s) => s.traceId === traceId)).toBe(false);
  }, 60_000);
});
