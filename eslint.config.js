import { createConfig } from '@agents/eslint-config';

export default createConfig({ tsconfigRootDir: import.meta.dirname });
