// The options' one description (common/bridge-options.ts) against what the bridge does with it: the
// parser, --help, and the argv the operator renders with optionArgs.
import { BRIDGE_OPTIONS, envVarName, flagName, optionArgs, type BridgeOptionKey, type OptionSpec } from '../../common/bridge-options.js';
import { HELP, parseConfig, type BridgeConfig } from '../config.js';

const KEYS = Object.keys(BRIDGE_OPTIONS) as BridgeOptionKey[];
const ISSUER = ['--oauth-issuer', 'https://issuer.example'];
const NEEDS_ISSUER = new Set<BridgeOptionKey>(['oauthAudience', 'oauthScopes', 'toolScopes', 'forwardIdentity', 'oauthIssuer']);

function configOf(argv: string[], env: Record<string, string> = {}): BridgeConfig {
  const parsed = parseConfig(argv, env);
  if (parsed.kind !== 'config') throw new Error(`not a config: ${parsed.kind}`);
  return parsed.config;
}

/** A valid value other than the default, in the option's own type. */
function sampleValue(key: BridgeOptionKey): number | boolean | string | string[] {
  const option: OptionSpec = BRIDGE_OPTIONS[key];
  switch (option.type) {
    case 'int': {
      const v = (option.default ?? option.min) + 1;
      return option.max !== undefined && v > option.max ? option.min : v;
    }
    case 'boolean':
      return true;
    case 'string':
      return `/some/${key}`;
    case 'url':
      return 'https://issuer.example';
    case 'enum':
      return option.values[option.values.length - 1] ?? option.default;
    case 'list':
      return key === 'toolScopes' ? ['read*=files.read', 'write*=files.write'] : key === 'env' ? ['A=1', 'B=2'] : ['a', 'b'];
    case 'rate':
      return '5/s';
  }
}

/** What else a command line needs for the option to be accepted (a server, and an issuer for the OAuth ones). */
function context(key: BridgeOptionKey): string[] {
  return [...(NEEDS_ISSUER.has(key) && key !== 'oauthIssuer' ? ISSUER : []), ...(key === 'upstreamSocket' ? [] : ['--', 'server'])];
}

/** The parsed value as the config holds it (--env becomes a map). */
function configured(config: BridgeConfig, key: BridgeOptionKey): unknown {
  return key === 'env' ? Object.entries(config.env).map(([k, v]) => `${k}=${v}`) : config[key];
}

describe('the bridge options, described once', () => {
  it('when the operator renders any option with optionArgs, then the bridge parses the same value back, from the flag and from its MCP_BRIDGE_ variable', () => {
    for (const key of KEYS) {
      const value = sampleValue(key);
      const argv = optionArgs(key, value as never);
      expect({ key, value: configured(configOf([...argv, ...context(key)]), key) }).toEqual({ key, value });
      const envValue = argv.length === 1 ? 'true' : (argv[1] ?? '');
      expect({ key, value: configured(configOf(context(key), { [envVarName(key)]: envValue }), key) }).toEqual({ key, value });
    }
  });

  it('when an option is unset, false or an empty list, then optionArgs renders nothing, so the bridge applies its default', () => {
    expect([optionArgs('maxSessions', undefined), optionArgs('relayRoots', false), optionArgs('toolsAllow', [])]).toEqual([[], [], []]);
    expect(optionArgs('warmPool', 0)).toEqual(['--warm-pool', '0']);
  });

  it('when --help is printed, then every option is listed once, with the default the parser applies', () => {
    const defaults = configOf(['--', 'server']);
    for (const key of KEYS) {
      const option: OptionSpec = BRIDGE_OPTIONS[key];
      const lines = HELP.split('\n');
      const at = lines.findIndex((l) => l.startsWith(`  --${flagName(key)} `) || l === `  --${flagName(key)}`);
      expect({ key, listed: lines.filter((l) => l.startsWith(`  --${flagName(key)} `) || l === `  --${flagName(key)}`).length }).toEqual({ key, listed: 1 });
      // The option's block runs to the next line that starts a flag.
      const end = lines.findIndex((l, i) => i > at && l.startsWith('  -'));
      const block = lines.slice(at, end).map((l) => l.trim()).join(' ');
      if ('default' in option && option.default !== undefined) {
        expect({ key, parsed: defaults[key] }).toEqual({ key, parsed: option.default });
        expect({ key, help: block.includes(`(default ${String(option.default)})`) }).toEqual({ key, help: true });
      }
    }
  });

  it('when --help is printed, then it fits 112 columns and names no unfilled placeholder', () => {
    expect(HELP.split('\n').filter((l) => l.length > 112)).toEqual([]);
    expect(HELP).not.toMatch(/\{[A-Z_]+\}/);
  });

  it('when the keep-alive default is compared with the drain delay, then it is not longer (an idle connection is gone before a drain closes idle ones)', () => {
    expect(BRIDGE_OPTIONS.keepAliveTimeout.default).toBeLessThanOrEqual(BRIDGE_OPTIONS.drainDelay.default);
  });
});
