import { createJestConfig } from '@agents/jest-preset';

export default createJestConfig({ rootDir: import.meta.dirname });
