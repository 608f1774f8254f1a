import { loadRunnerConfig } from './config/runner.config.js';

const config = loadRunnerConfig();
console.error(`agent-runner: reading ${config.runSpecPath}`);
