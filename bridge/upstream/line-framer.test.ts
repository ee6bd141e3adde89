import { LineFramer, LineTooLongError } from './line-framer.js';

function frame(maxLine: number, chunks: string[]) {
  const lines: string[] = [];
  const errors: LineTooLongError[] = [];
  const framer = new LineFramer(maxLine, (l) => lines.push(l), (e) => errors.push(e));
  for (const c of chunks) framer.push(Buffer.from(c));
  return { lines, errors };
}

describe('LineFramer', () => {
  it('when lines arrive split across chunks, then it emits each whole line once', () => {
    expect(frame(100, ['{"a":', '1}\n{"b"', ':2}\n{"c":3}']).lines).toEqual(['{"a":1}', '{"b":2}']);
  });
  it('when several lines come in one chunk, then all are emitted in order', () => {
    expect(frame(100, ['x\ny\nz\n']).lines).toEqual(['x', 'y', 'z']);
  });
  it('when lines end with CRLF or are blank, then CR is stripped and blanks are skipped', () => {
    expect(frame(100, ['a\r\n\n\nb\n']).lines).toEqual(['a', 'b']);
  });
  it('when a multi-byte character is split between chunks, then it is decoded intact', () => {
    const bytes = Buffer.from('héllo\n');
    const lines: string[] = [];
    const framer = new LineFramer(100, (l) => lines.push(l), () => undefined);
    framer.push(bytes.subarray(0, 2));
    framer.push(bytes.subarray(2));
    expect(lines).toEqual(['héllo']);
  });
  it('when a line exceeds the limit without a newline, then it reports overflow once and emits nothing more', () => {
    const { lines, errors } = frame(10, ['0123456789ABC', 'more\nnext\n']);
    expect(lines).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.limit).toBe(10);
  });
  it('when a line is exactly at the limit, then it is accepted', () => {
    expect(frame(5, ['12345\n']).lines).toEqual(['12345']);
  });
});
