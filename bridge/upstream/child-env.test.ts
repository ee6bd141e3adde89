import { childEnv } from './child-env.js';

const parent = { PATH: '/bin', HOME: '/root', SECRET: 's3cret', MCP_BRIDGE_AUTH_TOKEN_FILE: '/t', API_KEY: 'k' };

describe('childEnv', () => {
  it('when nothing is passed, then only the allowlist reaches the child', () => {
    expect(childEnv(parent, [], {})).toEqual({ PATH: '/bin', HOME: '/root' });
  });
  it('when names are passed, then exactly those are added', () => {
    expect(childEnv(parent, ['API_KEY'], {})).toEqual({ PATH: '/bin', HOME: '/root', API_KEY: 'k' });
  });
  it('when * is passed, then everything but the bridge own settings is passed', () => {
    expect(childEnv(parent, ['*'], {})).toEqual({ PATH: '/bin', HOME: '/root', SECRET: 's3cret', API_KEY: 'k' });
  });
  it('when --env sets a name, then it wins over the inherited value', () => {
    expect(childEnv(parent, [], { PATH: '/opt/bin', X: '1' })).toEqual({ PATH: '/opt/bin', HOME: '/root', X: '1' });
  });
});
