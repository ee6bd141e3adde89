// Every refusal of a command line is a ConfigError that names the flags (main.ts prints it and exits 2).
import { ConfigError, parseConfig } from '../config.js';

const refused = (argv: string[], env: Record<string, string> = {}) => () => parseConfig(argv, env);

describe('command lines the bridge refuses at start', () => {
  it('when there is no server command and no --upstream-socket, or both, then it is refused', () => {
    expect(refused([])).toThrow(ConfigError);
    expect(refused([])).toThrow(/no server command/);
    expect(refused(['--upstream-socket', '/s', '--', 'x'])).toThrow(/either a command after -- or --upstream-socket, not both/);
  });

  it('when --headers-timeout exceeds --request-timeout, then it is refused', () => {
    expect(refused(['--headers-timeout', '50', '--request-timeout', '40', '--', 'x'])).toThrow(/--headers-timeout \(50\) must not exceed --request-timeout \(40\)/);
  });

  it('when OAuth-only options come without --oauth-issuer, then it is refused naming each of them', () => {
    expect(refused(['--oauth-audience', 'a', '--tool-scopes', 'x=y', '--forward-identity', '--', 'x'])).toThrow(
      /--oauth-audience, --tool-scopes, --forward-identity need --oauth-issuer/,
    );
    expect(refused(['--', 'x'], { MCP_BRIDGE_OAUTH_SCOPES: 's' })).toThrow(/--oauth-scopes need --oauth-issuer/);
  });

  it('when --oauth-issuer is plain http off loopback, comes with --auth-token-file, or a scope rule is malformed, then it is refused', () => {
    expect(refused(['--oauth-issuer', 'http://issuer.example', '--', 'x'])).toThrow(/must be an https URL/);
    expect(refused(['--oauth-issuer', 'https://issuer.example', '--auth-token-file', '/t', '--', 'x'])).toThrow(/either --auth-token-file .* or --oauth-issuer, not both/);
    expect(refused(['--oauth-issuer', 'http://127.0.0.1:9', '--tool-scopes', 'x', '--', 'x'])).toThrow(/--tool-scopes expects PATTERN=SCOPE, got "x"/);
  });

  it('when a value is out of its bounds, unknown or malformed, then it is refused naming the flag', () => {
    expect(refused(['--port', '70000', '--', 'x'])).toThrow(/--port: Too big/);
    expect(refused(['--session-mode', 'bogus', '--', 'x'])).toThrow(/--session-mode: Invalid option/);
    expect(refused(['--rate-limit', '60', '--', 'x'])).toThrow(/--rate-limit: a rate is N\/s, N\/m or N\/h/);
    expect(refused(['--env', 'NOVALUE', '--', 'x'])).toThrow(/--env expects NAME=VALUE/);
    expect(refused(['--bogus', '--', 'x'])).toThrow(/Unknown option '--bogus'/);
  });
});
