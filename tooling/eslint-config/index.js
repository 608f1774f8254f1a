// The workspace's ESLint flat config. The two architecture rules of the repository live here:
//  1. apps never import each other (they talk only through the Kubernetes API and NATS);
//  2. process.env is read only in an app's src/config/ (everything else receives configuration as values).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export const APPS = ['agent-runner', 'agentctl', 'control-plane', 'controllers'];

const appImportPatterns = [
  {
    group: APPS.flatMap((app) => [`@agents/${app}`, `@agents/${app}/*`]),
    message: 'Apps never import each other: share code through libs/*, talk through the Kubernetes API or NATS.',
  },
  {
    // A path into apps/, or a relative path that climbs out of one app into another.
    regex: `(^|/)apps/|^(\\.\\./)+(${APPS.join('|')})/`,
    message: 'Apps never import each other: share code through libs/*, talk through the Kubernetes API or NATS.',
  },
];

const processEnvMessage =
  "Read process.env only in the app's src/config/ (validated once at start); pass values down as arguments.";

export function createConfig({ tsconfigRootDir } = {}) {
  return tseslint.config(
    {
      ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', 'libs/proto/src/gen/**', '.cluster/**'],
    },
    js.configs.recommended,
    ...tseslint.configs.recommended,
    {
      files: ['**/*.ts'],
      languageOptions: tsconfigRootDir ? { parserOptions: { projectService: true, tsconfigRootDir } } : {},
      rules: {
        '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
        '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
        'no-restricted-imports': ['error', { patterns: appImportPatterns }],
      },
    },
    tsconfigRootDir
      ? {
          files: ['**/*.ts'],
          rules: {
            '@typescript-eslint/no-floating-promises': 'error',
            '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
            '@typescript-eslint/await-thenable': 'error',
          },
        }
      : {},
    {
      files: ['apps/*/src/**/*.ts', 'libs/*/src/**/*.ts', 'src/**/*.ts'],
      ignores: ['apps/*/src/config/**', 'src/config/**', 'libs/testing/**', '**/*.spec.ts', '**/*.int-spec.ts'],
      rules: {
        'no-restricted-syntax': [
          'error',
          { selector: "MemberExpression[object.name='process'][property.name='env']", message: processEnvMessage },
          {
            selector: "VariableDeclarator[init.name='process'] > ObjectPattern > Property[key.name='env']",
            message: processEnvMessage,
          },
        ],
        'no-restricted-imports': [
          'error',
          {
            patterns: appImportPatterns,
            paths: ['process', 'node:process'].map((name) => ({
              name,
              importNames: ['env'],
              message: processEnvMessage,
            })),
          },
        ],
      },
    },
    {
      // A focused test silently drops the rest of its file from CI; a skipped one cannot fail.
      files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts'],
      rules: {
        'no-restricted-syntax': [
          'error',
          {
            selector: 'MemberExpression[object.name=/^(it|test|describe)$/][property.name=/^(only|skip|todo)$/]',
            message: 'No focused, skipped or todo tests: every test in CI runs and can fail.',
          },
          {
            selector: 'CallExpression[callee.name=/^(fit|fdescribe|xit|xtest|xdescribe)$/]',
            message: 'No focused or skipped tests: every test in CI runs and can fail.',
          },
        ],
      },
    },
    {
      files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
      languageOptions: {
        globals: { process: 'readonly', console: 'readonly', require: 'readonly', module: 'writable', URL: 'readonly' },
      },
    },
    prettier,
  );
}
