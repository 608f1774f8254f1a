import { parseBoolean, parseList } from './validators.js';

describe('parseList', () => {
  it.each([
    ['a JSON array', '["a", " b "]', ['a', 'b']],
    ['a comma list', 'a, b,,c', ['a', 'b', 'c']],
    ['nothing', '', []],
    ['a JSON array of numbers', '[1,2]', undefined],
    ['broken JSON', '["a"', undefined],
  ])('reads %s', (_c, input, want) => {
    expect(parseList(input)).toEqual(want);
  });
});

describe('parseBoolean', () => {
  it.each([
    ['true', true],
    ['0', false],
    ['On', true],
    ['maybe', undefined],
  ])('reads %s', (input, want) => {
    expect(parseBoolean(input)).toBe(want);
  });
});
