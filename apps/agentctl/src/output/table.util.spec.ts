import { formatFields, formatTable } from './table.util.js';

describe('formatTable', () => {
  it('pads columns to their widest cell, three spaces apart, without trailing spaces', () => {
    expect(
      formatTable(
        ['NAME', 'PHASE', 'AGE'],
        [
          ['a', 'Running', '5m'],
          ['longer-name', '', ''],
        ],
      ),
    ).toEqual(['NAME          PHASE     AGE', 'a             Running   5m', 'longer-name']);
  });
  it('keeps a multi-line cell on one line', () => {
    expect(formatTable(['A', 'B'], [['x\ny', 'z']])).toEqual(['A     B', 'x y   z']);
  });
});

describe('formatFields', () => {
  it('aligns values', () =>
    expect(
      formatFields([
        ['Name', 'a'],
        ['Namespace', 'b'],
      ]),
    ).toEqual(['Name:       a', 'Namespace:  b']));
});
