// Traces with the OpenTelemetry JS SDK: one SERVER span per MCP operation, exported over OTLP
// (http/protobuf) to the collector the standard OTEL_* env names. Started only when such an endpoint
// is configured: otherwise this module's SDK imports are never loaded (they are dynamic), no
// provider, no exporter exists, and the request path only checks `undefined`.
//
// The provider is not registered globally (several bridges can share one process in tests; and the
// bridge instruments nothing else), and no async-hooks context manager is installed: on Node 20 it
// puts a hook on every promise of the process, which cost ~20 µs per call on the echo path (~8% of
// the bridge's CPU, docs/benchmarks.md). Parents and children are passed explicitly instead, and the
// span that is "active" for log lines is kept for the synchronous stretch in which the bridge routes
// a request (withActive), which is where its request-path log lines are emitted.
import type { Context, Link, SpanContext, Tracer } from '@opentelemetry/api';
import type { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import type { Outcome } from './semconv.js';
import { parseTraceparent, type IncomingTrace, type TraceCarrier } from './trace-context.js';

export interface TracingOptions {
  /** Full OTLP/HTTP traces URL (config.ts derives it from OTEL_EXPORTER_OTLP_[TRACES_]ENDPOINT). */
  readonly tracesUrl: string;
  /** Resource defaults; OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES override them. */
  readonly serviceName: string;
  readonly serviceVersion: string;
  readonly namespace?: string;
}

export interface ServerSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** The span's context as W3C strings, for the child's `params._meta`. */
  readonly carrier: TraceCarrier;
  end(outcome: Outcome): void;
}

export interface Tracing {
  startServerSpan(name: string, attributes: Readonly<Record<string, string>>, incoming: IncomingTrace): ServerSpan;
  /** Runs fn with the span active: log lines emitted meanwhile (synchronously) carry its ids. */
  withActive<T>(span: ServerSpan, fn: () => T): T;
  /** trace_id/span_id of the active span, for the pino mixin ({} when none). */
  logFields(): Record<string, string>;
  /** Exports what is buffered and stops (on shutdown); rejects when the collector could not take it. */
  shutdown(): Promise<void>;
}

export async function startTracing(options: TracingOptions): Promise<Tracing> {
  const [api, sdk, exporterModule, resources, semconv] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-proto'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/semantic-conventions/incubating'),
  ]);
  const resource = resources
    .defaultResource()
    .merge(resources.resourceFromAttributes({
      [semconv.ATTR_SERVICE_NAME]: options.serviceName,
      [semconv.ATTR_SERVICE_VERSION]: options.serviceVersion,
      ...(options.namespace !== undefined ? { [semconv.ATTR_K8S_NAMESPACE_NAME]: options.namespace } : {}),
    }))
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  const exporter = new exporterModule.OTLPTraceExporter({ url: options.tracesUrl });
  // BatchSpanProcessor and the sampler read OTEL_BSP_* and OTEL_TRACES_SAMPLER[_ARG] themselves.
  const provider: BasicTracerProvider = new sdk.BasicTracerProvider({ resource, spanProcessors: [new sdk.BatchSpanProcessor(exporter)] });
  const tracer: Tracer = provider.getTracer('mcp-bridge', options.serviceVersion);

  /** A remote parent or link from W3C strings (already validated by trace-context.ts). */
  const remote = (carrier: TraceCarrier): SpanContext | undefined => {
    const parts = parseTraceparent(carrier.traceparent);
    if (parts === undefined) return undefined;
    return {
      traceId: parts.traceId,
      spanId: parts.spanId,
      traceFlags: parts.sampled ? api.TraceFlags.SAMPLED : api.TraceFlags.NONE,
      isRemote: true,
      ...(carrier.tracestate !== undefined ? { traceState: api.createTraceState(carrier.tracestate) } : {}),
    };
  };
  const parentContext = (carrier: TraceCarrier | undefined): Context => {
    const parent = carrier === undefined ? undefined : remote(carrier);
    return parent === undefined ? api.ROOT_CONTEXT : api.trace.setSpanContext(api.ROOT_CONTEXT, parent);
  };
  let active: ServerSpan | undefined;

  return {
    startServerSpan(name, attributes, incoming) {
      const linked = incoming.link !== undefined ? remote(incoming.link) : undefined;
      const links: Link[] = linked !== undefined ? [{ context: linked }] : [];
      const span = tracer.startSpan(name, { kind: api.SpanKind.SERVER, attributes, links }, parentContext(incoming.parent));
      const context = span.spanContext();
      // What a W3C propagator would write, without building a context and a carrier per span.
      const flags = (context.traceFlags & 1) === 1 ? '01' : '00'; // W3C sampled bit
      const traceparent = `00-${context.traceId}-${context.spanId}-${flags}`;
      const tracestate = context.traceState?.serialize();
      return {
        traceId: context.traceId,
        spanId: context.spanId,
        carrier: tracestate !== undefined && tracestate !== '' ? { traceparent, tracestate } : { traceparent },
        end(outcome) {
          if (outcome.errorType !== undefined) {
            span.setAttribute(semconv.ATTR_ERROR_TYPE, outcome.errorType);
            if (outcome.statusCode !== undefined) span.setAttribute(semconv.ATTR_RPC_STATUS_CODE, outcome.statusCode);
            span.setStatus({ code: api.SpanStatusCode.ERROR, ...(outcome.message !== undefined ? { message: outcome.message } : {}) });
          }
          span.end();
        },
      };
    },
    withActive(span, fn) {
      const outer = active;
      active = span;
      try {
        return fn();
      } finally {
        active = outer;
      }
    },
    logFields(): Record<string, string> {
      return active === undefined ? {} : { trace_id: active.traceId, span_id: active.spanId };
    },
    async shutdown() {
      await provider.shutdown();
    },
  };
}
