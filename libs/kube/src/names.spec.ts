import { makeName, normalizeLabelValue } from './names.js';

describe('makeName', () => {
  it.each([
    ['joins parts with dashes', ['run-1', 'job'], 'run-1-job'],
    ['lower-cases and replaces invalid characters', ['My_Run.2', 'Step 1'], 'my-run-2-step-1'],
    ['trims dashes at both ends', ['-a-', 'b-'], 'a--b'],
  ])('%s', (_case, parts, want) => {
    expect(makeName(...parts)).toBe(want);
  });

  it('keeps long names within 63 characters, deterministic and distinct', () => {
    const a = makeName('x'.repeat(70), 'job');
    const b = makeName('x'.repeat(71), 'job');
    expect(a).toHaveLength(63);
    expect(a).toBe(makeName('x'.repeat(70), 'job'));
    expect(a).not.toBe(b);
    expect(a).toMatch(/^x+-[0-9a-f]{8}$/);
  });
});

describe('normalizeLabelValue', () => {
  it.each([
    ['keeps a valid value', 'codex', 'codex'],
    ['replaces slashes and trims edges', '/Org/Repo#12/', 'org-repo-12'],
    ['falls back to unknown for empty input', '', 'unknown'],
    ['falls back to unknown for undefined', undefined, 'unknown'],
  ])('%s', (_case, input, want) => {
    expect(normalizeLabelValue(input)).toBe(want);
  });

  it('never exceeds 63 characters or ends with a separator', () => {
    const v = normalizeLabelValue(`${'a'.repeat(62)}.b`);
    expect(v.length).toBeLessThanOrEqual(63);
    expect(v).toMatch(/[a-z0-9]$/);
  });
});
