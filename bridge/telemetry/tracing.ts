// Traces with the OpenTelemetry JS SDK: one SERVER span per MCP operation, exported over OTLP
// (http/protobuf) to the collector the standard OTEL_* env names. Started only when such an endpoint
// is configured: otherwise this module's SDK imports are never loaded (they are dynamic), no
// provider, no exporter, no context manager exists, and the request path only checks `undefined`.
//
// The provider is not registered globally (several bridges can share one process in tests; and the
// bridge instruments nothing else). Only the context manager is global (there is one per process):
// it makes the operation's span the active one while the request is handled, so log lines carry it.
import type { Context, Link, Span, Tracer } from '@opentelemetry/api';
import type { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import type { Outcome } from './semconv.js';
import type { IncomingTrace, TraceCarrier } from './trace-context.js';

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
  end(outcome: Outcome, attributes: Readonly<Record<string, string>>): void;
}

export interface Tracing {
  startServerSpan(name: string, attributes: Readonly<Record<string, string>>, incoming: IncomingTrace): ServerSpan;
  /** Runs fn with the span active (log lines emitted meanwhile carry its ids). */
  withActive<T>(span: ServerSpan, fn: () => T): T;
  /** trace_id/span_id of the active span, for the pino mixin ({} when none). */
  logFields(): Record<string, string>;
  /** Exports what is buffered and stops (on shutdown). */
  shutdown(): Promise<void>;
}

export async function startTracing(options: TracingOptions): Promise<Tracing> {
  const [api, core, sdk, exporterModule, resources, hooks, semconv] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/core'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-proto'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/context-async-hooks'),
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
  // One per process; a second bridge in the same process finds it set (setGlobal returns false).
  api.context.setGlobalContextManager(new hooks.AsyncLocalStorageContextManager().enable());
  const propagator = new core.W3CTraceContextPropagator();

  const extract = (carrier: TraceCarrier): Context => propagator.extract(api.ROOT_CONTEXT, carrier, api.defaultTextMapGetter);
  const inject = (span: Span): TraceCarrier => {
    const out: Record<string, string> = {};
    propagator.inject(api.trace.setSpan(api.ROOT_CONTEXT, span), out, api.defaultTextMapSetter);
    return out.tracestate !== undefined ? { traceparent: out.traceparent ?? '', tracestate: out.tracestate } : { traceparent: out.traceparent ?? '' };
  };
  const spans = new WeakMap<ServerSpan, Span>();

  return {
    startServerSpan(name, attributes, incoming) {
      const parent = incoming.parent !== undefined ? extract(incoming.parent) : api.ROOT_CONTEXT;
      const linked = incoming.link !== undefined ? api.trace.getSpanContext(extract(incoming.link)) : undefined;
      const links: Link[] = linked !== undefined ? [{ context: linked }] : [];
      const span = tracer.startSpan(name, { kind: api.SpanKind.SERVER, attributes, links }, parent);
      const { traceId, spanId } = span.spanContext();
      const handle: ServerSpan = {
        traceId,
        spanId,
        carrier: inject(span),
        end(outcome, more) {
          span.setAttributes(more);
          if (outcome.errorType !== undefined) {
            span.setAttribute(semconv.ATTR_ERROR_TYPE, outcome.errorType);
            if (outcome.statusCode !== undefined) span.setAttribute(semconv.ATTR_RPC_STATUS_CODE, outcome.statusCode);
            span.setStatus({ code: api.SpanStatusCode.ERROR, ...(outcome.message !== undefined ? { message: outcome.message } : {}) });
          }
          span.end();
        },
      };
      spans.set(handle, span);
      return handle;
    },
    withActive(handle, fn) {
      const span = spans.get(handle);
      return span === undefined ? fn() : api.context.with(api.trace.setSpan(api.context.active(), span), fn);
    },
    logFields(): Record<string, string> {
      const active = api.trace.getSpanContext(api.context.active());
      return active === undefined ? {} : { trace_id: active.traceId, span_id: active.spanId };
    },
    async shutdown() {
      await provider.shutdown();
    },
  };
}
