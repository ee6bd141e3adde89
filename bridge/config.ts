// Flags and MCP_BRIDGE_* env are parsed here, once, and passed down as a frozen BridgeConfig. Which
// options exist, their types, defaults and help are described once in common/bridge-options.ts (the
// operator renders a pod's bridge arguments from the same description); bridge/cli/ holds the parts.
import { parseArgs } from 'node:util';
import { BRIDGE_OPTIONS, envVarName, flagName, type BridgeOptionKey, type BridgeOptionValues } from '../common/bridge-options.js';
import { ConfigError } from './cli/config-error.js';
import { checkAuthOptions, checkServerOptions } from './cli/cross-checks.js';
import { otlpTracesUrlFrom } from './cli/otlp-env.js';
import { configSchema } from './cli/schema.js';

export { ConfigError } from './cli/config-error.js';
export { HELP } from './cli/help.js';
export { otlpTracesUrlFrom } from './cli/otlp-env.js';

export type BridgeConfig = Readonly<
  Omit<BridgeOptionValues, 'env'> & {
    /** The server command (after `--`); empty with --upstream-socket. */
    command: string[];
    env: Readonly<Record<string, string>>;
    /** OTLP/HTTP traces URL when tracing is on (standard OTEL_* env); undefined: no tracing at all. */
    otlpTracesUrl?: string | undefined;
  }
>;

export type ParseResult = { kind: 'help' } | { kind: 'version' } | { kind: 'config'; config: BridgeConfig };

const KEYS = Object.keys(BRIDGE_OPTIONS) as BridgeOptionKey[];

function parseEnvPairs(pairs: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new ConfigError(`--env expects NAME=VALUE, got "${pair}"`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/** node:util parseArgs options: booleans take no value; lists may repeat. */
function argsOptions() {
  return Object.fromEntries(
    KEYS.map((key) => {
      const { type } = BRIDGE_OPTIONS[key];
      return [flagName(key), type === 'boolean' ? { type: 'boolean' as const } : { type: 'string' as const, multiple: type === 'list' }];
    }),
  );
}

/** Pure: argv (without node and script) and an environment in, a validated config out. */
export function parseConfig(argv: readonly string[], environment: Readonly<Record<string, string | undefined>>): ParseResult {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: { ...argsOptions(), help: { type: 'boolean', short: 'h' }, version: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}\nRun "mcp-bridge --help" for the options.`);
  }
  if (parsed.values.help === true) return { kind: 'help' };
  if (parsed.values.version === true) return { kind: 'version' };

  // A flag wins over its variable; an empty variable counts as unset.
  const raw: Record<string, unknown> = {};
  for (const key of KEYS) {
    const fromFlag = (parsed.values as Record<string, unknown>)[flagName(key)];
    const fromEnv = environment[envVarName(key)];
    if (fromFlag !== undefined) raw[key] = fromFlag;
    else if (fromEnv !== undefined && fromEnv !== '') raw[key] = BRIDGE_OPTIONS[key].type === 'list' ? fromEnv.split(',') : fromEnv;
  }
  raw.command = parsed.positionals;

  const result = configSchema.safeParse(raw);
  if (!result.success) {
    const issues = result.error.issues.map((i) => {
      const key = String(i.path[0]);
      return `--${key in BRIDGE_OPTIONS ? flagName(key as BridgeOptionKey) : key}: ${i.message}`;
    });
    throw new ConfigError(`invalid options:\n  ${issues.join('\n  ')}`);
  }
  // The schema is built from the same description as BridgeOptionValues (bridge/cli/schema.ts).
  const value = result.data as BridgeOptionValues & { command: string[] };
  checkServerOptions(value);
  checkAuthOptions(value);
  const otlpTracesUrl = otlpTracesUrlFrom(environment);
  return { kind: 'config', config: Object.freeze({ ...value, env: parseEnvPairs(value.env), ...(otlpTracesUrl !== undefined ? { otlpTracesUrl } : {}) }) };
}
