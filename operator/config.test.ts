import { ConfigError, parseConfig } from './config.js';

const defaults = { identity: 'pod-a' };

describe('parseConfig', () => {
  it('when nothing is given, then the defaults apply', () => {
    const c = parseConfig([], {}, defaults);
    expect(c).toMatchObject({
      bridgeImage: 'localhost/mcp-bridge:local',
      port: 8081,
      namespace: '',
      leaderElect: true,
      leaderElectionId: 'mcp-sidecar-operator',
      identity: 'pod-a',
      workers: 8,
    });
  });

  it('when a flag and its env var are both set, then the flag wins', () => {
    const c = parseConfig(['--bridge-image', 'flag:1'], { MCP_OPERATOR_BRIDGE_IMAGE: 'env:1', MCP_OPERATOR_WORKERS: '3' }, defaults);
    expect(c.bridgeImage).toBe('flag:1');
    expect(c.workers).toBe(3);
  });

  it('when port 0 is asked for, then it is accepted (tests pick a free port)', () => {
    expect(parseConfig(['--port=0'], {}, defaults).port).toBe(0);
  });

  it('when scrape annotations are asked for by env, then they are on (and off by default)', () => {
    expect(parseConfig([], {}, defaults).bridgeMetricsAnnotations).toBe(false);
    expect(parseConfig([], { MCP_OPERATOR_BRIDGE_METRICS_ANNOTATIONS: 'true' }, defaults).bridgeMetricsAnnotations).toBe(true);
  });

  it('when a collector is named, then it must be an http(s) URL (empty by default: no OTEL env on the bridges)', () => {
    expect(parseConfig([], {}, defaults).bridgeOtlpEndpoint).toBe('');
    expect(parseConfig(['--bridge-otlp-endpoint=http://otel-collector.monitoring:4318'], {}, defaults).bridgeOtlpEndpoint).toBe('http://otel-collector.monitoring:4318');
    expect(() => parseConfig(['--bridge-otlp-endpoint=otel-collector:4318'], {}, defaults)).toThrow(ConfigError);
  });

  it('when a Prometheus for KEDA is named, then it must be an http(s) URL (empty by default: bridge-metric targets are refused)', () => {
    expect(parseConfig([], {}, defaults).autoscalingPrometheusUrl).toBe('');
    const url = 'http://prometheus.monitoring.svc.cluster.local:9090';
    expect(parseConfig([], { MCP_OPERATOR_AUTOSCALING_PROMETHEUS_URL: url }, defaults).autoscalingPrometheusUrl).toBe(url);
    expect(() => parseConfig(['--autoscaling-prometheus-url=prometheus:9090'], {}, defaults)).toThrow(ConfigError);
  });

  it('when leader election is turned off, then it parses as false', () => {
    expect(parseConfig(['--leader-elect=false'], {}, defaults).leaderElect).toBe(false);
  });

  it.each([
    [['--port', '-1']],
    [['--port', 'http']],
    [['--bridge-image-pull-policy', 'Sometimes']],
    [['--no-such-flag']],
    [['--lease-duration-seconds', '5', '--renew-deadline-seconds', '5']],
  ])('when given %j, then a ConfigError explains it', (argv) => {
    expect(() => parseConfig(argv, {}, defaults)).toThrow(ConfigError);
  });
});
