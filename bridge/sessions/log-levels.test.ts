import { atLeast, moreVerbose } from './log-levels.js';

describe('log levels', () => {
  it('when two sessions ask for different levels, then the upstream runs at the more verbose one', () => {
    expect(moreVerbose('warning', 'debug')).toBe('debug');
    expect(moreVerbose('error', 'notice')).toBe('notice');
  });
  it('when a message is below a session threshold, then it is filtered; at or above, it passes', () => {
    expect(atLeast('info', 'warning')).toBe(false);
    expect(atLeast('warning', 'warning')).toBe(true);
    expect(atLeast('critical', 'warning')).toBe(true);
    expect(atLeast('made-up', 'error')).toBe(true);
  });
});
