// Tracing's configuration comes from the OpenTelemetry SDK's standard OTEL_* env, not from our options.
import { ConfigError } from './config-error.js';

/**
 * Where traces go, from the OpenTelemetry SDK's standard env (so the bridge is configured like any
 * instrumented service); undefined when tracing is off. Only OTLP over HTTP/protobuf is built in:
 * another protocol is refused at start rather than silently exporting nothing.
 */
export function otlpTracesUrlFrom(environment: Readonly<Record<string, string | undefined>>): string | undefined {
  const env = (name: string): string | undefined => {
    const value = environment[name]?.trim();
    return value === undefined || value === '' ? undefined : value;
  };
  if (env('OTEL_SDK_DISABLED')?.toLowerCase() === 'true') return undefined;
  const exporters = env('OTEL_TRACES_EXPORTER')?.split(',').map((s) => s.trim());
  if (exporters !== undefined && !exporters.includes('otlp')) return undefined;
  const signal = env('OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const base = env('OTEL_EXPORTER_OTLP_ENDPOINT');
  if (signal === undefined && base === undefined) return undefined;
  const protocol = env('OTEL_EXPORTER_OTLP_TRACES_PROTOCOL') ?? env('OTEL_EXPORTER_OTLP_PROTOCOL') ?? 'http/protobuf';
  if (protocol !== 'http/protobuf') {
    throw new ConfigError(`OTEL_EXPORTER_OTLP_PROTOCOL=${protocol} is not supported: the bridge exports traces over OTLP http/protobuf (port 4318 of a collector)`);
  }
  // The signal-specific URL is used as is; the base one gets the signal's path (OTLP exporter spec).
  const url = signal ?? `${(base ?? '').replace(/\/+$/, '')}/v1/traces`;
  try {
    new URL(url);
  } catch {
    throw new ConfigError(`OTEL_EXPORTER_OTLP_${signal !== undefined ? 'TRACES_' : ''}ENDPOINT is not a URL: ${url}`);
  }
  return url;
}
