import { MAX_SUBSCRIPTIONS, PendingHandoffs, decodeHandoff, encodeHandoff, worthHandingOff } from './handoff.js';

describe('session handoff', () => {
  it('when entries are encoded, then they decode to the same entries', () => {
    const entries = [
      { id: 'a.b.c.d', logLevel: 'debug' as const, subscriptions: ['file:///x', 'test://y'] },
      { id: 'e.f.g.h', subscriptions: [] },
    ];
    expect(decodeHandoff(encodeHandoff(entries))).toEqual(entries);
  });

  it('when the body is not a handoff, then it is refused whole', () => {
    for (const bad of ['', 'nope', '[]', '{}', '{"sessions":{}}', 'null']) expect(decodeHandoff(bad)).toBeUndefined();
  });

  it('when single entries are malformed, then only those are dropped', () => {
    const body = JSON.stringify({
      sessions: [
        { id: 'ok', subscriptions: ['u'] },
        { id: '', subscriptions: [] },
        { id: 'level', logLevel: 'loud', subscriptions: [] },
        { id: 'uris', subscriptions: [3] },
        { id: 'many', subscriptions: Array.from({ length: MAX_SUBSCRIPTIONS + 1 }, (_, i) => `u${String(i)}`) },
        'not an object',
      ],
    });
    expect(decodeHandoff(body)).toEqual([{ id: 'ok', subscriptions: ['u'] }]);
  });

  it('when a session set nothing up after initialize, then it is not worth handing off', () => {
    expect(worthHandingOff({ id: 'x', subscriptions: [] })).toBe(false);
    expect(worthHandingOff({ id: 'x', logLevel: 'error', subscriptions: [] })).toBe(true);
    expect(worthHandingOff({ id: 'x', subscriptions: ['u'] })).toBe(true);
  });
});

describe('PendingHandoffs', () => {
  it('when a handoff is taken, then it is given once', () => {
    const pending = new PendingHandoffs(1000);
    pending.put({ id: 's', subscriptions: ['u'] });
    expect(pending.take('s')).toEqual({ id: 's', subscriptions: ['u'] });
    expect(pending.take('s')).toBeUndefined();
    expect(pending.size).toBe(0);
  });

  it('when a peer asks for a handoff, then it is shown without being given away', () => {
    const pending = new PendingHandoffs(1000);
    pending.put({ id: 's', subscriptions: ['u'] });
    expect(pending.peek('s')).toEqual({ id: 's', subscriptions: ['u'] });
    expect(pending.has('s')).toBe(true);
    expect(pending.take('s')).toEqual({ id: 's', subscriptions: ['u'] });
    expect(pending.has('s')).toBe(false);
  });

  it('when a handoff is older than the TTL, then it is not applied', () => {
    let now = 0;
    const pending = new PendingHandoffs(1000, 10, () => now);
    pending.put({ id: 's', subscriptions: ['u'] });
    now = 1001;
    expect(pending.peek('s')).toBeUndefined();
    expect(pending.take('s')).toBeUndefined();
  });

  it('when more arrive than it holds, then the oldest go first and a repeated id counts as new', () => {
    const pending = new PendingHandoffs(1000, 2);
    pending.put({ id: 'a', subscriptions: [] });
    pending.put({ id: 'b', subscriptions: [] });
    pending.put({ id: 'a', subscriptions: ['again'] });
    pending.put({ id: 'c', subscriptions: [] });
    expect(pending.size).toBe(2);
    expect(pending.take('b')).toBeUndefined();
    expect(pending.take('a')).toEqual({ id: 'a', subscriptions: ['again'] });
  });
});
