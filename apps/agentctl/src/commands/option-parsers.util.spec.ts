import { InvalidArgumentError } from 'commander';
import {
  collectKeyValue,
  durationOption,
  eventIdOption,
  nameOption,
  parseKeyValue,
  quantityOption,
  selectorOption,
} from './option-parsers.util.js';

describe('option parsers', () => {
  it('parses key=value, keeping = and empty values', () => {
    expect(parseKeyValue('a=b=c')).toEqual({ key: 'a', value: 'b=c' });
    expect(parseKeyValue('a=')).toEqual({ key: 'a', value: '' });
    expect(() => parseKeyValue('novalue')).toThrow(InvalidArgumentError);
    expect(() => parseKeyValue('=v')).toThrow('expected key=value');
  });

  it('collects repeated pairs and refuses a key given twice', () => {
    const one = collectKeyValue('a=1', undefined);
    expect(collectKeyValue('b=2', one)).toEqual([
      { key: 'a', value: '1' },
      { key: 'b', value: '2' },
    ]);
    expect(() => collectKeyValue('a=3', one)).toThrow("key 'a' is given twice");
  });

  it.each(['500m', '2', '1.5', '512Mi', '2Gi', '1e3', '.5'])('accepts the quantity %s', (q) =>
    expect(quantityOption(q)).toBe(q),
  );
  it.each(['lots', '2GB', '-1', ''])('refuses the quantity %j', (q) =>
    expect(() => quantityOption(q)).toThrow('Kubernetes quantity'),
  );

  it.each(['a', 'demo-run', 'a.b', 'x'.repeat(253)])('accepts the name %s', (n) => expect(nameOption(n)).toBe(n));
  it.each(['A', 'a_b', '-a', 'x'.repeat(254)])('refuses the name %j', (n) =>
    expect(() => nameOption(n)).toThrow('Kubernetes name'),
  );

  it.each(['app=demo', 'a!=b,c', '!legacy', 'env in (a,b),tier notin (c)', 'app.kubernetes.io/name==x'])(
    'accepts the selector %j',
    (s) => expect(selectorOption(s)).toBe(s),
  );
  it.each(['a b c', '', '=x', 'a=(b'])('refuses the selector %j', (s) =>
    expect(() => selectorOption(s)).toThrow('label selector'),
  );

  it('parses durations and event ids', () => {
    expect(durationOption('2m')).toBe(120_000);
    expect(() => durationOption('x')).toThrow('expected a duration');
    expect(eventIdOption('42')).toBe(42);
    expect(() => eventIdOption('-1')).toThrow('expected an event id');
  });
});
