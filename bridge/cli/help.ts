// `mcp-bridge --help`, rendered from the options' one description (common/bridge-options.ts): every flag,
// its placeholder, its help and its default as the parser applies it, so the text cannot drift from the
// behaviour. Pure.
import { LATEST_PROTOCOL_VERSION } from '@modelcontextprotocol/sdk/types.js';
import { BRIDGE_OPTIONS, envVarName, flagName, type BridgeOptionKey, type OptionSpec } from '../../common/bridge-options.js';

/** Help texts start at this column; lines end by this width. */
const COLUMN = 27;
const WIDTH = 112;

/** Words of `text` in lines of at most `width` characters (a longer word gets a line of its own). */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  // Only spaces and line breaks break: a no-break space keeps "(default 5)" together.
  for (const word of text.split(/[ \n]+/).filter(Boolean)) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line === '' ? word : `${line} ${word}`;
  }
  return line === '' ? lines : [...lines, line];
}

/** "(default 8080)" from the value the parser applies, or the option's own words when there is none. */
function defaultOf(option: OptionSpec): string {
  if (option.defaultText !== undefined) return ` (default: ${option.defaultText})`;
  if ('default' in option && option.default !== undefined) return ` (default\u00a0${String(option.default)})`;
  return '';
}

/** The values the help text refers to by name, filled in here (common/ cannot import the SDK). */
const PLACEHOLDERS: Readonly<Record<string, string>> = { LATEST_PROTOCOL_VERSION };

function fill(text: string): string {
  return text.replace(/\{([A-Z_]+)\}/g, (all, name: string) => PLACEHOLDERS[name] ?? all);
}

/** One option: the flag and placeholder, then its help wrapped at COLUMN (on the next line when the flag is long). */
export function optionHelp(key: BridgeOptionKey): string {
  const option: OptionSpec = BRIDGE_OPTIONS[key];
  const arg = option.arg ?? (option.type === 'enum' ? option.values.join('|') : undefined);
  const label = `  --${flagName(key)}${arg === undefined ? '' : ` ${arg}`}`;
  const text = wrap(fill(option.help) + defaultOf(option), WIDTH - COLUMN).map((l) => l.replaceAll('\u00a0', ' '));
  const indent = ' '.repeat(COLUMN);
  const first = label.length < COLUMN ? `${label.padEnd(COLUMN)}${text[0] ?? ''}` : `${label}\n${indent}${text[0] ?? ''}`;
  return [first, ...text.slice(1).map((l) => `${indent}${l}`)].join('\n');
}

const OPTION_KEYS = Object.keys(BRIDGE_OPTIONS) as BridgeOptionKey[];

export const HELP = `mcp-bridge: serve a stdio MCP server over Streamable HTTP (/mcp) and legacy HTTP+SSE (/sse, /message).

Usage:
  mcp-bridge [options] -- <command> [args...]
  mcp-bridge [options] --upstream-socket PATH     (sidecar: the server runs behind the stdio agent)

Options (each also as env MCP_BRIDGE_<NAME>, e.g. ${envVarName('maxSessions')}=50; flags win):
${OPTION_KEYS.map(optionHelp).join('\n')}
  -h, --help               show this help
  --version                print the version

Traces (OpenTelemetry, OTLP over HTTP/protobuf) are exported only when OTEL_EXPORTER_OTLP_ENDPOINT or
OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set (and OTEL_SDK_DISABLED is not true, OTEL_TRACES_EXPORTER not
none); OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER[_ARG], OTEL_BSP_* and
OTEL_EXPORTER_OTLP_[TRACES_]HEADERS are honoured. See docs/observability.md.
The server process gets only HOME, LOGNAME, PATH, SHELL, TERM, USER, the --pass-env names and --env.
Endpoints: /mcp, /sse, /message, /healthz (alive), /readyz (can serve a session now), /metrics (Prometheus).`;
