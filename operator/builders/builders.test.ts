import { readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ANNOTATION_CONFIG_HASH, RUN_AS_USER } from '../api/constants.js';
import { parseMcpServer, type McpServer } from '../api/mcp-server.js';
import { objectToYaml, yamlToObjects } from '../kube/kube-client.js';
import type { BuildOptions } from './build-options.js';
import type { KubeObject } from '../api/kube-types.js';
import { buildAutoscaler, buildDisruptionBudget } from './autoscaler.js';
import { chooseAutoscaler } from './autoscaler-choice.js';
import { buildScaledObject } from './scaled-object.js';
import { buildDeployment } from './deployment.js';
import { buildNetworkPolicy } from './network-policy.js';
import { planReplicas, type ReplicaPlan } from './replica-plan.js';
import { buildPeerService, buildService } from './service.js';
import { wantsPeers } from './pod-template.js';
import { buildSessionKeySecret } from './session-key-secret.js';
import { serverUrls } from './urls.js';

const here = dirname(fileURLToPath(import.meta.url));
const samplesDir = join(here, '../../crds/samples');
const goldenDir = join(here, 'golden');
const opts: BuildOptions = { bridgeImage: 'localhost/mcp-bridge:local', bridgeImagePullPolicy: 'IfNotPresent', bridgeMetricsAnnotations: false };

function mcpFrom(raw: unknown): McpServer {
  const obj = raw as { metadata: Record<string, unknown> };
  const r = parseMcpServer({ ...obj, metadata: { ...obj.metadata, namespace: 'tools', uid: '00000000-0000-0000-0000-000000000001', generation: 1 } });
  if (!r.ok) throw new Error(r.error);
  return r.value;
}

function sample(file: string): McpServer {
  return mcpFrom(yamlToObjects(readFileSync(join(samplesDir, file), 'utf8'))[0]);
}

function minimal(spec: Record<string, unknown>): McpServer {
  return mcpFrom({ apiVersion: 'mcp.sidecar.dev/v1alpha1', kind: 'McpServer', metadata: { name: 'demo' }, spec });
}

const samples = readdirSync(samplesDir).filter((f) => f.endsWith('.yaml'));

/** As the reconciler chooses (autoscaler-choice.ts) on a cluster with KEDA and the sample Prometheus. */
const PROMETHEUS = 'http://prometheus.monitoring.svc.cluster.local:9090';
function autoscalerOf(mcp: McpServer, plan: ReplicaPlan): KubeObject[] {
  const choice = chooseAutoscaler(mcp, plan, { keda: 'installed', prometheusUrl: PROMETHEUS });
  const a = mcp.spec.autoscaling;
  if (a === undefined) return [];
  if (choice.kind === 'hpa') return [buildAutoscaler(mcp, a)];
  if (choice.kind === 'scaledObject') return [buildScaledObject(mcp, a, choice.prometheusUrl)];
  return [];
}

describe('builders against golden files (UPDATE_GOLDEN=1 rewrites them)', () => {
  it.each(samples)('when %s is built, then the children match the golden YAML byte for byte', (file) => {
    const mcp = sample(file);
    // As the reconciler builds them when no claim exists yet (a claim of data-volume.yaml: single writer).
    const plan = planReplicas(mcp.spec, new Map());
    const children = [
      buildDeployment(mcp, opts, plan),
      buildService(mcp),
      ...(wantsPeers(mcp.spec) ? [buildPeerService(mcp)] : []),
      ...autoscalerOf(mcp, plan),
      ...(plan.disruptionBudget ? [buildDisruptionBudget(mcp)] : []),
      ...[buildNetworkPolicy(mcp, { ...opts, operatorNamespace: 'mcp-system' })].filter((p) => p !== undefined),
    ];
    const text = children.map((o) => objectToYaml(o)).join('---\n');
    const golden = join(goldenDir, file);
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(golden)) writeFileSync(golden, text);
    expect(text).toBe(readFileSync(golden, 'utf8'));
  });
});

describe('the autoscaler of each kind of target (golden)', () => {
  const withTargets = (targets: Record<string, number>): McpServer => {
    const mcp = sample('autoscaling.yaml');
    return { ...mcp, spec: { ...mcp.spec, autoscaling: { minReplicas: 2, maxReplicas: 6, targets, scaleDownStabilizationSeconds: 120 } } };
  };
  it.each([
    ['hpa-resource-targets.yaml', { cpuUtilizationPercent: 70, memoryUtilizationPercent: 80 }, 'HorizontalPodAutoscaler'],
    ['scaledobject-all-targets.yaml', { inFlightRequestsPerPod: 8, sessionsPerPod: 100, cpuUtilizationPercent: 70, memoryUtilizationPercent: 80 }, 'ScaledObject'],
  ])('when the targets are those of %s, then the one autoscaler built is a %s matching the golden YAML', (file, targets, kind) => {
    const mcp = withTargets(targets);
    const built = autoscalerOf(mcp, planReplicas(mcp.spec, new Map()));
    expect(built.map((o) => o.kind)).toEqual([kind]);
    const text = built.map((o) => objectToYaml(o)).join('---\n');
    const golden = join(goldenDir, 'autoscalers', file);
    if (process.env.UPDATE_GOLDEN === '1' || !existsSync(golden)) writeFileSync(golden, text);
    expect(text).toBe(readFileSync(golden, 'utf8'));
  });

  it('when a ScaledObject is built, then each bridge target queries the sum over this server\'s pods, which the HPA averages per pod', () => {
    const mcp = withTargets({ inFlightRequestsPerPod: 8, sessionsPerPod: 100 });
    const so = buildScaledObject(mcp, mcp.spec.autoscaling ?? { minReplicas: 1, maxReplicas: 1, targets: {} }, PROMETHEUS);
    expect(so.spec.triggers).toEqual([
      { type: 'prometheus', metricType: 'AverageValue', metadata: expect.objectContaining({ query: 'sum(mcp_bridge_requests_in_flight{namespace="tools",service="everything"})', threshold: '8' }) as unknown },
      { type: 'prometheus', metricType: 'AverageValue', metadata: expect.objectContaining({ query: 'sum(mcp_bridge_sessions_active{namespace="tools",service="everything"})', threshold: '100' }) as unknown },
    ]);
    expect(so.spec.scaleTargetRef).toEqual({ apiVersion: 'mcp.sidecar.dev/v1alpha1', kind: 'McpServer', name: 'everything' });
  });
});

describe('builders are pure', () => {
  it.each(samples)('when %s is built twice, then the output is byte-identical', (file) => {
    const a = JSON.stringify([buildDeployment(sample(file), opts), buildService(sample(file))]);
    const b = JSON.stringify([buildDeployment(sample(file), opts), buildService(sample(file))]);
    expect(a).toBe(b);
  });
});

describe('topologies', () => {
  it('when there is no image, then one bridge container runs the command after --', () => {
    const d = buildDeployment(minimal({ command: ['npx', '-y', 'pkg'], args: ['--flag'] }), opts);
    const pod = d.spec?.template.spec;
    expect(pod?.initContainers).toBeUndefined();
    expect(pod?.containers.map((c) => c.name)).toEqual(['bridge']);
    const bridge = pod?.containers[0];
    expect(bridge?.image).toBe(opts.bridgeImage);
    const args = bridge?.args ?? [];
    expect(args.slice(args.indexOf('--'))).toEqual(['--', 'npx', '-y', 'pkg', '--flag']);
    expect(args).toEqual(expect.arrayContaining(['--port', '8080', '--session-mode', 'per-session']));
    expect(bridge?.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(bridge?.livenessProbe?.httpGet?.path).toBe('/healthz');
    expect(bridge?.startupProbe?.httpGet?.path).toBe('/healthz');
  });

  it('when an image is set, then the server runs under the agent and the bridge is a native sidecar', () => {
    const d = buildDeployment(minimal({ image: 'mcp/fs:1', command: ['node', 'x.js'], args: ['/data'] }), opts);
    const pod = d.spec?.template.spec;
    const bridge = pod?.initContainers?.[0];
    expect(bridge?.name).toBe('bridge');
    expect(bridge?.restartPolicy).toBe('Always');
    expect(bridge?.args).toEqual(expect.arrayContaining(['--upstream-socket', '/mcp/agent.sock', '--install-agent', '/mcp/agent']));
    expect(bridge?.args).not.toContain('--');
    const server = pod?.containers[0];
    expect(server?.name).toBe('server');
    expect(server?.image).toBe('mcp/fs:1');
    expect(server?.command).toEqual(['/mcp/agent']);
    expect(server?.args).toEqual(['--socket', '/mcp/agent.sock', '--', 'node', 'x.js', '/data']);
    for (const c of [bridge, server]) expect(c?.volumeMounts).toEqual(expect.arrayContaining([{ name: 'mcp', mountPath: '/mcp' }]));
    expect(pod?.volumes).toEqual(expect.arrayContaining([{ name: 'mcp', emptyDir: { sizeLimit: '64Mi' } }]));
  });

  it('when an image is set, then the server container stops only after the bridge drained: its preStop hook asks the socket the bridge listens on', () => {
    const pod = buildDeployment(minimal({ image: 'mcp/fs:1', command: ['node', 'x.js'] }), opts).spec?.template.spec;
    const bridgeArgs = pod?.initContainers?.[0]?.args ?? [];
    const drainSocket = bridgeArgs[bridgeArgs.indexOf('--drain-socket') + 1];
    expect(drainSocket).toMatch(/^\/mcp\//); // in the emptyDir both containers mount
    expect(pod?.containers[0]?.lifecycle?.preStop?.exec?.command).toEqual(['/mcp/agent', '--drain', drainSocket]);
    // The embedded topology stops bridge and server together (one container): no hook, no socket.
    const embedded = buildDeployment(minimal({ command: ['node', 'x.js'] }), opts).spec?.template.spec;
    expect(embedded?.containers[0]?.lifecycle).toBeUndefined();
    expect(embedded?.containers[0]?.args).not.toContain('--drain-socket');
  });

  it('when the operator is given a collector (--bridge-otlp-endpoint), then every bridge exports to it, unless the McpServer names its own', () => {
    const withCollector = { ...opts, bridgeOtlpEndpoint: 'http://otel-collector.monitoring.svc.cluster.local:4318' };
    const endpointOf = (env: { name: string; value?: string }[] | undefined) => env?.filter((e) => e.name === 'OTEL_EXPORTER_OTLP_ENDPOINT').map((e) => e.value);
    const embedded = buildDeployment(minimal({ command: ['node', 'x.js'] }), withCollector).spec?.template.spec;
    expect(endpointOf(embedded?.containers[0]?.env)).toEqual(['http://otel-collector.monitoring.svc.cluster.local:4318']);
    const sidecar = buildDeployment(minimal({ image: 'mcp/fs:1', command: ['node', 'x.js'] }), withCollector).spec?.template.spec;
    expect(endpointOf(sidecar?.initContainers?.[0]?.env)).toEqual(['http://otel-collector.monitoring.svc.cluster.local:4318']);
    const own = buildDeployment(minimal({ command: ['node', 'x.js'], env: [{ name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://mine:4318' }] }), withCollector).spec?.template.spec;
    expect(endpointOf(own?.containers[0]?.env)).toEqual(['http://mine:4318']);
    expect(endpointOf(buildDeployment(minimal({ command: ['node', 'x.js'] }), opts).spec?.template.spec?.containers[0]?.env)).toEqual([]);
  });

  it('when spec.env sets OTEL_* in the sidecar topology, then the bridge container gets those too (it exports the traces), and every bridge knows its McpServer', () => {
    const env = [{ name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: 'http://collector.obs:4318' }, { name: 'API_KEY', value: 'x' }];
    const pod = buildDeployment(minimal({ image: 'mcp/fs:1', command: ['node', 'x.js'], env }), opts).spec?.template.spec;
    const names = (pod?.initContainers?.[0]?.env ?? []).map((e) => e.name);
    expect(names).toEqual(expect.arrayContaining(['OTEL_EXPORTER_OTLP_ENDPOINT', 'MCP_BRIDGE_MCP_SERVER_NAME', 'MCP_BRIDGE_MCP_SERVER_NAMESPACE']));
    expect(names).not.toContain('API_KEY');
    expect(pod?.initContainers?.[0]?.env?.find((e) => e.name === 'MCP_BRIDGE_MCP_SERVER_NAME')?.value).toBe('demo');
    expect(pod?.containers[0]?.env?.map((e) => e.name)).toEqual(expect.arrayContaining(['OTEL_EXPORTER_OTLP_ENDPOINT', 'API_KEY']));
    const embedded = buildDeployment(minimal({ command: ['node', 'x.js'] }), opts).spec?.template.spec?.containers[0]?.env;
    expect(embedded?.find((e) => e.name === 'MCP_BRIDGE_MCP_SERVER_NAMESPACE')?.valueFrom).toEqual({ fieldRef: { fieldPath: 'metadata.namespace' } });
  });

  it('when transport is streamable-http, then there is no bridge, and the Service and probes use the server port', () => {
    const mcp = minimal({ transport: 'streamable-http', image: 'http-mcp:1', port: 3001, path: '/api/mcp' });
    const pod = buildDeployment(mcp, opts).spec?.template.spec;
    expect(pod?.containers.map((c) => c.name)).toEqual(['server']);
    expect(pod?.containers[0]?.command).toBeUndefined();
    expect(pod?.containers[0]?.readinessProbe?.tcpSocket?.port).toBe(3001);
    expect(pod?.volumes?.map((v) => v.name)).toEqual(['tmp']);
    expect(buildService(mcp).spec?.ports?.[0]).toMatchObject({ name: 'http', port: 3001, targetPort: 3001 });
    expect(serverUrls(mcp)).toEqual({ url: 'http://demo.tools.svc.cluster.local:3001/api/mcp' });
  });
});

describe('one writer per data volume (--data-lock)', () => {
  const withClaim = (extra: Record<string, unknown>) =>
    minimal({
      command: ['node', 'x.js'],
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'demo-data' } }],
      volumeMounts: [{ name: 'data', mountPath: '/data' }],
      ...extra,
    });

  it.each([
    ['embedded', {}],
    ['sidecar', { image: 'mcp/fs:1' }],
  ])('when the %s server writes to a single-writer claim, then its bridge mounts that volume read-only and locks it before starting the server', (_topology, extra) => {
    const mcp = withClaim(extra);
    const plan = planReplicas(mcp.spec, new Map([['demo-data', ['ReadWriteOnce']]]));
    expect(plan.singleWriterClaims).toEqual(['demo-data']);
    const pod = buildDeployment(mcp, opts, plan).spec?.template.spec;
    const bridge = [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])].find((c) => c.name === 'bridge');
    expect(bridge?.volumeMounts).toContainEqual({ name: 'data', mountPath: '/var/run/mcp/data-lock/data', readOnly: true });
    const args = bridge?.args ?? [];
    expect(args[args.indexOf('--data-lock') + 1]).toBe('/var/run/mcp/data-lock/data');
    // The server itself sees its volume only where the user mounted it.
    const server = pod?.containers.find((c) => c.name === 'server');
    if (server !== undefined) expect(server.volumeMounts?.map((m) => m.mountPath)).not.toContain('/var/run/mcp/data-lock/data');
  });

  it('when the claim is ReadWriteMany, or mounted read-only, then there is nothing to lock', () => {
    const many = withClaim({});
    const manyPlan = planReplicas(many.spec, new Map([['demo-data', ['ReadWriteMany']]]));
    expect(buildDeployment(many, opts, manyPlan).spec?.template.spec?.containers[0]?.args).not.toContain('--data-lock');
    const readOnly = withClaim({ volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: true }] });
    const roPlan = planReplicas(readOnly.spec, new Map([['demo-data', ['ReadWriteOnce']]]));
    expect(buildDeployment(readOnly, opts, roPlan).spec?.template.spec?.containers[0]?.args).not.toContain('--data-lock');
  });
});

describe('bridge flags', () => {
  it.each([
    [{ sessions: { mode: 'shared' } }, ['--session-mode', 'shared']],
    [{ sessions: { warmPool: 2, maxSessions: 9, idleTimeoutSeconds: 60 } }, ['--warm-pool', '2', '--max-sessions', '9', '--idle-timeout', '60']],
    [{ sessions: { warmPool: 2, warmPoolInitialize: true } }, ['--warm-pool', '2', '--warm-pool-initialize']],
    [{ bridge: { port: 9000 } }, ['--port', '9000']],
    [{ bridge: { maxBodyBytes: 2048, maxLineBytes: 4096 } }, ['--max-body', '2048', '--max-line', '4096']],
    [{ bridge: { allowedOrigins: ['https://a', 'https://b'] } }, ['--allowed-origins', 'https://a,https://b']],
    [{ bridge: { authTokenSecretRef: { name: 's', key: 'k' } } }, ['--auth-token-file', '/var/run/mcp/auth-token/token']],
    // Without spec.auth.publicUrl the OAuth resource is the Service URL the operator knows.
    [{ auth: { issuer: 'https://idp', scopes: ['a', 'b'] } }, ['--oauth-issuer', 'https://idp', '--public-url', 'http://demo.tools.svc.cluster.local:8080', '--oauth-scopes', 'a,b']],
    [
      { auth: { issuer: 'https://idp', publicUrl: 'https://x.example', audience: 'api://x', jwksCacheSeconds: 60, forwardIdentity: true } },
      ['--oauth-issuer', 'https://idp', '--public-url', 'https://x.example', '--oauth-audience', 'api://x', '--oauth-jwks-cache', '60', '--forward-identity'],
    ],
    [{ tools: { allow: ['read_*', 'list'], deny: ['rm'], scopes: [{ tools: 'w_*', scope: 'fs:w' }] } }, ['--tools-allow', 'read_*,list', '--tools-deny', 'rm', '--tool-scopes', 'w_*=fs:w']],
  ])('when the spec has %j, then the bridge gets %j', (extra, flags) => {
    const args = buildDeployment(minimal({ command: ['srv'], ...extra }), opts).spec?.template.spec?.containers[0]?.args ?? [];
    const before = args.slice(0, args.indexOf('--'));
    const at = before.indexOf(flags[0] ?? '');
    expect(at).toBeGreaterThanOrEqual(0);
    expect(before.slice(at, at + flags.length)).toEqual(flags);
    expect(before).toEqual(expect.arrayContaining(['--session-key-file', '/var/run/mcp/session-key/key']));
  });
});

describe('env', () => {
  it('when the user sets HOME, then theirs wins and no name appears twice', () => {
    const env = buildDeployment(minimal({ command: ['srv'], env: [{ name: 'HOME', value: '/data/home' }] }), opts).spec?.template.spec
      ?.containers[0]?.env;
    const names = (env ?? []).map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    expect(env?.find((e) => e.name === 'HOME')?.value).toBe('/data/home');
    expect(env?.find((e) => e.name === 'POD_IP')?.valueFrom?.fieldRef?.fieldPath).toBe('status.podIP');
    expect(env?.find((e) => e.name === 'MCP_BRIDGE_ADVERTISE_ADDRESS')?.value).toBe('$(POD_IP):8080');
    // Defined before use, or Kubernetes does not expand $(POD_IP).
    expect(names.indexOf('POD_IP')).toBeLessThan(names.indexOf('MCP_BRIDGE_ADVERTISE_ADDRESS'));
  });

  it('when the server has env, then the embedded bridge passes it on by name (the bridge gives children a minimal env)', () => {
    const args = buildDeployment(minimal({ command: ['srv'], env: [{ name: 'TOKEN', value: 'x' }] }), opts).spec?.template.spec?.containers[0]?.args ?? [];
    const before = args.slice(0, args.indexOf('--'));
    expect(before.join(' ')).toContain('--pass-env TOKEN');
    expect(before.join(' ')).toContain('--pass-env npm_config_cache');
    expect(before).toEqual(expect.arrayContaining(['--host', '0.0.0.0']));
  });

  it('when envFrom is used, then the bridge passes its whole env on (names unknown)', () => {
    const args = buildDeployment(sample('env-secrets.yaml'), opts).spec?.template.spec?.containers[0]?.args ?? [];
    expect(args.join(' ')).toContain('--pass-env *');
  });

  it('when secrets are referenced, then env valueFrom and envFrom pass through', () => {
    const c = buildDeployment(sample('env-secrets.yaml'), opts).spec?.template.spec?.containers[0];
    expect(c?.env?.find((e) => e.name === 'GITHUB_PERSONAL_ACCESS_TOKEN')?.valueFrom?.secretKeyRef).toEqual({ name: 'github-token', key: 'token' });
    expect(c?.envFrom).toHaveLength(2);
  });
});

describe('security defaults', () => {
  it.each(samples)('when %s is built, then every container passes PodSecurity restricted', (file) => {
    const pod = buildDeployment(sample(file), opts).spec?.template.spec;
    expect(pod?.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: RUN_AS_USER, seccompProfile: { type: 'RuntimeDefault' } });
    for (const c of [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])]) {
      expect(c.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
        readOnlyRootFilesystem: true,
        runAsNonRoot: true,
      });
      expect(c.volumeMounts).toEqual(expect.arrayContaining([{ name: 'tmp', mountPath: '/tmp' }]));
    }
  });
});

describe('config hash', () => {
  const hash = (spec: Record<string, unknown>): string | undefined =>
    buildDeployment(minimal(spec), opts).spec?.template.metadata?.annotations?.[ANNOTATION_CONFIG_HASH];

  it('when only replicas change, then the hash stays (no rollout)', () => {
    expect(hash({ command: ['srv'], replicas: 1 })).toBe(hash({ command: ['srv'], replicas: 5 }));
  });

  it.each([
    [{ command: ['srv'], args: ['--x'] }],
    [{ command: ['srv'], env: [{ name: 'A', value: '1' }] }],
    [{ command: ['srv'], sessions: { mode: 'shared' } }],
    [{ command: ['srv'], image: 'x:1' }],
  ])('when the pod config changes (%j), then the hash changes (rollout)', (spec) => {
    expect(hash(spec)).not.toBe(hash({ command: ['srv'] }));
  });

  it('when the bridge image changes, then the hash changes', () => {
    const a = buildDeployment(minimal({ command: ['srv'] }), opts).spec?.template.metadata?.annotations;
    const b = buildDeployment(minimal({ command: ['srv'] }), { ...opts, bridgeImage: 'other:2' }).spec?.template.metadata?.annotations;
    expect(a).not.toEqual(b);
  });
});

describe('scrape annotations (--bridge-metrics-annotations)', () => {
  const annotations = (spec: Record<string, unknown>, on: boolean) =>
    buildDeployment(minimal(spec), { ...opts, bridgeMetricsAnnotations: on }).spec?.template.metadata?.annotations ?? {};

  it('when off (the default), then the pod template carries only the config hash', () => {
    expect(Object.keys(annotations({ command: ['srv'] }, false))).toEqual([ANNOTATION_CONFIG_HASH]);
  });

  it.each([
    ['embedded', { command: ['srv'], bridge: { port: 9000 } }],
    ['sidecar', { command: ['srv'], image: 'x:1', bridge: { port: 9000 } }],
  ])('when on for the %s topology, then Prometheus is told the bridge port and /metrics', (_, spec) => {
    expect(annotations(spec, true)).toMatchObject({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': '9000', 'prometheus.io/path': '/metrics' });
  });

  it('when on for a streamable-http server (no bridge), then nothing is advertised', () => {
    const a = annotations({ transport: 'streamable-http', command: ['srv'], port: 3001 }, true);
    expect(a['prometheus.io/scrape']).toBeUndefined();
  });
});

describe('children identity', () => {
  it('when any child is built, then it has our labels and a controller owner reference', () => {
    const mcp = minimal({ command: ['srv'] });
    for (const child of [buildDeployment(mcp, opts), buildService(mcp), buildSessionKeySecret(mcp, Buffer.alloc(32, 7))]) {
      expect(child.metadata?.labels).toEqual({
        'app.kubernetes.io/name': 'mcp-server',
        'app.kubernetes.io/instance': 'demo',
        'app.kubernetes.io/managed-by': 'mcp-sidecar-operator',
        'mcp.sidecar.dev/server': 'demo',
      });
      expect(child.metadata?.ownerReferences).toEqual([
        {
          apiVersion: 'mcp.sidecar.dev/v1alpha1',
          kind: 'McpServer',
          name: 'demo',
          uid: '00000000-0000-0000-0000-000000000001',
          controller: true,
          blockOwnerDeletion: true,
        },
      ]);
    }
  });

  it('when the session key secret is built, then it carries the given key under "key"', () => {
    const s = buildSessionKeySecret(minimal({ command: ['srv'] }), Buffer.from('k3y'));
    expect(s.metadata?.name).toBe('demo-session-key');
    expect(s.data).toEqual({ key: Buffer.from('k3y').toString('base64') });
  });
});
