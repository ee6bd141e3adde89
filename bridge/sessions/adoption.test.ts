import { MAX_STATE_CHARS, adoptionOf, decodeAdoption, encodeAdoption } from './adoption.js';

describe('session adoption state', () => {
  it('when a state is encoded, then it decodes to the same state and holds no dot', () => {
    const state = { protocolVersion: '2025-06-18', capabilities: { sampling: {}, roots: { listChanged: true } }, principal: 'alice' };
    const text = encodeAdoption(state);
    expect(text).toBeDefined();
    expect(text).not.toContain('.');
    expect(decodeAdoption(text ?? '')).toEqual(state);
  });

  it('when the capabilities are huge, then the session is not adoptable', () => {
    const capabilities = { experimental: { blob: 'x'.repeat(MAX_STATE_CHARS) } };
    expect(encodeAdoption({ protocolVersion: '2025-06-18', capabilities })).toBeUndefined();
  });

  it('when the text is not a state, then nothing is adopted', () => {
    for (const bad of ['', '!!!', Buffer.from('[]').toString('base64url'), Buffer.from('{"v":1,"c":{}}').toString('base64url'), Buffer.from('{"v":"x","c":{},"p":3}').toString('base64url')]) {
      expect(decodeAdoption(bad)).toBeUndefined();
    }
  });

  it('when an initialize names a version, then its capabilities and the caller make the state', () => {
    expect(adoptionOf({ protocolVersion: '2025-03-26', capabilities: { sampling: {} } }, undefined)).toEqual({ protocolVersion: '2025-03-26', capabilities: { sampling: {} } });
    expect(adoptionOf({ protocolVersion: '2025-03-26' }, 'bob')).toEqual({ protocolVersion: '2025-03-26', capabilities: {}, principal: 'bob' });
    expect(adoptionOf({ capabilities: {} }, undefined)).toBeUndefined();
  });
});
