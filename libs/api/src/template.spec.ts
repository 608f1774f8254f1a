import { renderTemplate, templateError } from './template.js';

const ctx = { agentRun: { name: 'r1' }, parameters: { branch: 'main', n: 3 }, agent: { config: { model: 'm' } } };

describe('renderTemplate', () => {
  it.each([
    ['a double-brace path', 'run {{agentRun.name}}', 'run r1'],
    ['spaces inside braces', '{{ parameters.branch }}', 'main'],
    ['the dollar form', 'b=${parameters.branch}', 'b=main'],
    ['a number', 'n={{parameters.n}}', 'n=3'],
    ['a missing value as empty', 'x={{parameters.missing}}', 'x='],
    ['an object as JSON', '{{agent.config}}', '{"model":"m"}'],
  ])('renders %s', (_c, tpl, want) => {
    expect(renderTemplate(tpl, ctx)).toBe(want);
  });
});

describe('templateError', () => {
  it.each([
    ['a valid template', 'echo {{ agentRun.name }} ${x}', undefined],
    ['an unterminated placeholder', 'echo {{ agentRun.name', expect.stringMatching(/malformed placeholder/)],
    ['a placeholder with a space in the path', '{{ agent run }}', expect.stringMatching(/malformed/)],
    ['a stray closing brace pair', 'a }} b', expect.stringMatching(/unbalanced/)],
  ])('reports %s', (_c, tpl, want) => {
    expect(templateError(tpl)).toEqual(want);
  });
});
