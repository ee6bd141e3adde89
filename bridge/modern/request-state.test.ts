import { RequestStateCodec } from './request-state.js';

const codec = new RequestStateCodec(Buffer.from('k'.repeat(32)));
const claims = { owner: '10.0.0.7:8080', continuation: 'modern-1', method: 'tools/call', expiresAt: 2_000 };

describe('requestState', () => {
  it('when signed and verified with the same method before expiry, then the claims come back', () => {
    expect(codec.verify(codec.sign(claims), 'tools/call', 1_000)).toEqual({ ok: true, claims });
  });

  it('when expired, then it is refused', () => {
    expect(codec.verify(codec.sign(claims), 'tools/call', 2_001)).toMatchObject({ ok: false });
    expect(JSON.stringify(codec.verify(codec.sign(claims), 'tools/call', 2_001))).toMatch(/expired/);
  });

  it('when presented on another method, then it is refused', () => {
    expect(codec.verify(codec.sign(claims), 'prompts/get', 1_000)).toMatchObject({ ok: false });
  });

  it('when tampered (another owner) or signed with another key, then it is refused', () => {
    const [version, , mac] = codec.sign(claims).split('.');
    const forged = `${version}.${Buffer.from(JSON.stringify(['evil:1', 'modern-1', 'tools/call', 2000])).toString('base64url')}.${mac}`;
    expect(codec.verify(forged, 'tools/call', 1_000).ok).toBe(false);
    expect(new RequestStateCodec(Buffer.from('x'.repeat(32))).verify(codec.sign(claims), 'tools/call', 1_000).ok).toBe(false);
    expect(codec.verify('garbage', 'tools/call', 1_000).ok).toBe(false);
  });
});
