import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createLogger } from '../log.js';
import { BridgeMetrics } from '../metrics.js';
import type { ReplyTarget } from '../sessions/reply-target.js';
import { Operations } from './operations.js';
import { startTracing, type Tracing } from './tracing.js';

const CLIENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const sink: ReplyTarget = { deliver: () => undefined, complete: () => undefined, abandon: () => undefined };

describe('tracing (SDK started, nothing exported: the endpoint is never reached within the test)', () => {
  let tracing: Tracing;
  beforeAll(async () => {
    tracing = await startTracing({ tracesUrl: 'http://127.0.0.1:9/v1/traces', serviceName: 'test', serviceVersion: '0.0.0' });
  });
  afterAll(async () => {
    await tracing.shutdown().catch(() => undefined); // nobody listens on port 9: the flush fails, as expected
  });

  it('when a request carries a client traceparent, then its span continues that trace and hands the child its own span id', () => {
    const ops = new Operations(new BridgeMetrics(false), tracing, pino({ level: 'silent' }), ['2025-11-25']);
    const reply = ops.track({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'echo', _meta: { traceparent: `00-${CLIENT_TRACE}-00f067aa0ba902b7-01`, tracestate: 'vendor=1' } } }, {}, sink);
    expect(reply.traceContext?.traceparent).toMatch(new RegExp(`^00-${CLIENT_TRACE}-[0-9a-f]{16}-01$`));
    expect(reply.traceContext?.traceparent).not.toContain('00f067aa0ba902b7');
    expect(reply.traceContext?.tracestate).toBe('vendor=1');
    reply.complete({ jsonrpc: '2.0', id: 1, result: {} });
  });

  it('when a log line is written while the bridge routes a request, then it carries trace_id and span_id; before and after, it does not', () => {
    const lines: Record<string, unknown>[] = [];
    const stream = new Writable({ write: (chunk: Buffer, _enc, done) => { lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>); done(); } });
    const log = pino({ level: 'info', mixin: () => tracing.logFields() }, stream);
    const ops = new Operations(new BridgeMetrics(false), tracing, log, ['2025-11-25']);
    const reply = ops.track({ jsonrpc: '2.0', id: 2, method: 'tools/list' }, { sessionId: 's1' }, sink);
    log.info('before');
    ops.withActive(reply, () => log.child({ sessionId: 's1' }).info('while routing'));
    log.info('after');
    const span = reply.traceContext?.traceparent.split('-');
    expect(lines.map((l) => [l.msg, l.trace_id, l.span_id])).toEqual([['before', undefined, undefined], ['while routing', span?.[1], span?.[2]], ['after', undefined, undefined]]);
    expect(lines[1]?.sessionId).toBe('s1');
  });

  it('when the logger is created with the identity and the trace fields, then every line names the McpServer and its namespace', () => {
    const logger = createLogger('info', { mcpServer: 'filesystem', namespace: 'tools' }, () => tracing.logFields());
    expect(logger.bindings()).toMatchObject({ component: 'mcp-bridge', mcpServer: 'filesystem', namespace: 'tools' });
  });
});
