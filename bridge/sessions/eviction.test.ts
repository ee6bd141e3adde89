import { longestIdle } from './eviction.js';

describe('eviction order', () => {
  it('when several sessions are idle, then the one idle longest is chosen', () => {
    const sessions = [
      { id: 'a', inFlight: 0, lastActivity: 300 },
      { id: 'b', inFlight: 0, lastActivity: 100 },
      { id: 'c', inFlight: 0, lastActivity: 200 },
    ];
    expect(longestIdle(sessions)?.id).toBe('b');
  });

  it('when the longest-idle session has a request in flight, then it is never chosen', () => {
    const sessions = [
      { id: 'busy', inFlight: 1, lastActivity: 1 },
      { id: 'idle', inFlight: 0, lastActivity: 500 },
    ];
    expect(longestIdle(sessions)?.id).toBe('idle');
  });

  it('when every session is busy (or there are none), then nothing is evictable', () => {
    expect(longestIdle([{ inFlight: 2, lastActivity: 1 }, { inFlight: 1, lastActivity: 2 }])).toBeUndefined();
    expect(longestIdle([])).toBeUndefined();
  });
});
