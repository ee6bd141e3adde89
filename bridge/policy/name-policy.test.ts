import { NamePolicy } from './name-policy.js';

describe('NamePolicy', () => {
  it('when nothing is listed, then it is empty and allows everything', () => {
    const p = new NamePolicy('prompts', [], []);
    expect(p.empty).toBe(true);
    expect(p.refusal('anything')).toBeUndefined();
  });

  it('when allow and deny both match, then deny wins and the refusal names the flag and pattern', () => {
    const p = new NamePolicy('resources', ['file:///data/*'], ['file:///data/secret*']);
    expect(p.refusal('file:///data/report.txt')).toBeUndefined();
    expect(p.refusal('file:///data/secret.key')).toBe('denied by --resources-deny file:///data/secret*');
    expect(p.refusal('file:///etc/passwd')).toBe('not in --resources-allow');
  });
});
