import { SessionIds } from './session-ids.js';

const key = Buffer.from('k'.repeat(32));

describe('SessionIds', () => {
  it('when an id is minted, then it parses back to its owner and uses only visible ASCII', () => {
    const ids = new SessionIds(key, '10.0.0.7:8080');
    const id = ids.mint();
    expect(id).toMatch(/^[\x21-\x7e]+$/);
    expect(ids.parse(id)).toEqual({ owner: '10.0.0.7:8080' });
  });
  it('when two ids are minted, then they differ', () => {
    const ids = new SessionIds(key, 'a:1');
    expect(ids.mint()).not.toEqual(ids.mint());
  });
  it('when another replica with the same key reads the id, then it learns the owner', () => {
    const id = new SessionIds(key, 'pod-a:8080').mint();
    expect(new SessionIds(key, 'pod-b:8080').parse(id)?.owner).toBe('pod-a:8080');
  });
  it('when the owner part is tampered with, then the id is rejected', () => {
    const ids = new SessionIds(key, 'pod-a:8080');
    const [nonce, , mac] = ids.mint().split('.');
    const forged = `${nonce}.${Buffer.from('evil:80').toString('base64url')}.${mac}`;
    expect(ids.parse(forged)).toBeUndefined();
  });
  it('when the id was signed with another key, or is garbage, then it is rejected', () => {
    const foreign = new SessionIds(Buffer.from('x'.repeat(32)), 'pod-a:8080').mint();
    const ids = new SessionIds(key, 'pod-a:8080');
    expect(ids.parse(foreign)).toBeUndefined();
    expect(ids.parse('not-an-id')).toBeUndefined();
    expect(ids.parse('a.b.c')).toBeUndefined();
  });
  it('when an id carries state, then another replica reads it back, and a tampered state is rejected', () => {
    const state = Buffer.from('{"pv":"2025-06-18"}').toString('base64url');
    const id = new SessionIds(key, 'pod-a:8080').mint(state);
    expect(new SessionIds(key, 'pod-b:8080').parse(id)).toEqual({ owner: 'pod-a:8080', state });
    const parts = id.split('.');
    parts[2] = Buffer.from('{"pv":"2024-11-05"}').toString('base64url');
    expect(new SessionIds(key, 'pod-b:8080').parse(parts.join('.'))).toBeUndefined();
    // Dropping the state part does not make a valid 3-part id either.
    expect(new SessionIds(key, 'pod-b:8080').parse([parts[0], parts[1], parts[3]].join('.'))).toBeUndefined();
  });
});

describe('SessionIds signatures', () => {
  it('when a payload is signed, then a replica with the same key verifies it and nothing else does', () => {
    const a = new SessionIds(key, 'a:1');
    const signature = a.sign('handoff', 'body');
    expect(new SessionIds(key, 'b:1').verify('handoff', 'body', signature)).toBe(true);
    expect(a.verify('handoff', 'body!', signature)).toBe(false);
    expect(a.verify('other', 'body', signature)).toBe(false);
    expect(new SessionIds(Buffer.from('x'.repeat(32)), 'b:1').verify('handoff', 'body', signature)).toBe(false);
    expect(a.verify('handoff', 'body', '')).toBe(false);
  });
});
