import { createJestConfig } from '../index.js';

describe('createJestConfig', () => {
  it('maps workspace libraries to their TypeScript sources so tests never need a prior build', () => {
    const config = createJestConfig({ rootDir: '/repo/apps/controllers' });
    const [pattern, target] = Object.entries(config.moduleNameMapper)[0];
    expect('@agents/api').toMatch(new RegExp(pattern));
    expect(target).toMatch(/libs\/\$1\/src\/index\.ts$/);
  });

  it('runs integration files one at a time because they share one cluster', () => {
    expect(createJestConfig({ rootDir: '/r', tier: 'int' }).maxWorkers).toBe(1);
    expect(createJestConfig({ rootDir: '/r', tier: 'int' }).testMatch[0]).toContain('.int-spec.ts');
  });

  it('rejects an unknown tier with the expected names', () => {
    expect(() => createJestConfig({ rootDir: '/r', tier: 'smoke' })).toThrow(
      /unknown test tier 'smoke' \(expected unit, int, e2e\)/,
    );
  });
});
