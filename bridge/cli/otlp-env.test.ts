import { ConfigError } from './config-error.js';
import { otlpTracesUrlFrom } from './otlp-env.js';

describe('tracing from the standard OTEL_* env', () => {
  it('when no OTLP endpoint is set, then tracing is off', () => {
    expect(otlpTracesUrlFrom({})).toBeUndefined();
    expect(otlpTracesUrlFrom({ OTEL_SERVICE_NAME: 'x', OTEL_EXPORTER_OTLP_ENDPOINT: '' })).toBeUndefined();
  });

  it('when OTEL_EXPORTER_OTLP_ENDPOINT is set, then traces go to its /v1/traces', () => {
    expect(otlpTracesUrlFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe('http://collector:4318/v1/traces');
    expect(otlpTracesUrlFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/base/' })).toBe('http://collector:4318/base/v1/traces');
  });

  it('when the traces endpoint is set, then it is used as is and wins over the base one', () => {
    expect(otlpTracesUrlFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://b:4318/custom' })).toBe('http://b:4318/custom');
  });

  it('when the SDK is disabled or the traces exporter is none, then tracing is off', () => {
    expect(otlpTracesUrlFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_SDK_DISABLED: 'true' })).toBeUndefined();
    expect(otlpTracesUrlFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_TRACES_EXPORTER: 'none' })).toBeUndefined();
    expect(otlpTracesUrlFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4318', OTEL_TRACES_EXPORTER: 'otlp' })).toBe('http://a:4318/v1/traces');
  });

  it('when a protocol other than http/protobuf or a malformed endpoint is asked for, then the bridge refuses to start with a clear error', () => {
    expect(() => otlpTracesUrlFrom({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://a:4317', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toThrow(ConfigError);
    expect(() => otlpTracesUrlFrom({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'not a url' })).toThrow(/not a URL/);
  });
});
