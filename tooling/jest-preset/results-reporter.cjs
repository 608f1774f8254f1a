// Writes each jest run's counts to $AGENTS_TEST_RESULTS/<package>-<tier>.json so hack/test can add them up.
const fs = require('node:fs');
const path = require('node:path');

class ResultsReporter {
  constructor(_globalConfig, options) {
    this.options = options;
  }

  onRunComplete(_contexts, results) {
    const dir = process.env.AGENTS_TEST_RESULTS;
    if (!dir) return;
    fs.mkdirSync(dir, { recursive: true });
    const summary = {
      runner: `jest:${this.options.name}:${this.options.tier}`,
      passed: results.numPassedTests,
      failed: results.numFailedTests + results.numRuntimeErrorTestSuites,
      skipped: results.numPendingTests + results.numTodoTests,
    };
    fs.writeFileSync(path.join(dir, `${this.options.name}-${this.options.tier}.json`), JSON.stringify(summary) + '\n');
  }
}

module.exports = ResultsReporter;
