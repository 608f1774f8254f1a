import { LineSplitter } from './line.splitter.js';

describe('LineSplitter', () => {
  it('joins lines split across chunks and keeps multi-byte characters whole', () => {
    const s = new LineSplitter();
    const euro = Buffer.from('€');
    expect(s.push(Buffer.concat([Buffer.from('one\ntw'), euro.subarray(0, 1)]))).toEqual(['one']);
    expect(s.push(Buffer.concat([euro.subarray(1), Buffer.from('o\r\nthree')]))).toEqual(['tw€o']);
    expect(s.end()).toEqual(['three']);
  });

  it('keeps empty lines', () => {
    expect(new LineSplitter().push(Buffer.from('a\n\nb\n'))).toEqual(['a', '', 'b']);
  });

  it('cuts lines longer than the limit, with or without a newline yet', () => {
    const s = new LineSplitter(4);
    expect(s.push(Buffer.from('abcdefghij'))).toEqual(['abcd', 'efgh']);
    expect(s.push(Buffer.from('k\nlmnopq\n'))).toEqual(['ijk', 'lmno', 'pq']);
    expect(s.end()).toEqual([]);
  });
});
