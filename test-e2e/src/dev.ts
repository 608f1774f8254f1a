// The main job (hack/dev): the chart on the local cluster, both apps under the chart's ServiceAccounts, the sample
// provider/agent/task applied with agentctl, a job AgentRun followed to Succeeded, and its events (from the agent
// runner, run locally because kwok simulates the Job's pod) shown by agentctl and the SSE endpoint.
// Usage: node test-e2e/dist/dev.js up|down   (hack/dev calls it with the cluster env set)
import path from 'node:path';
import pg from 'pg';
import { agentctl, runRunnerLocally, waitForRunSpec } from './runs.js';
import { EXAMPLES_DIR, REPO_ROOT, Stack, stopRecorded } from './stack.js';

const STATE_DIR = path.join(REPO_ROOT, '.dev');
const NAMESPACE = 'agents';
const RELEASE = 'agents';
const RUN = 'demo-run';
const PORTS = { controlPlane: 18080, controllers: 18081, grpc: 18090 };
const POSTGRES = process.env.AGENTS_DEV_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const NATS_URL = process.env.AGENTS_DEV_NATS_URL ?? 'nats://127.0.0.1:4222';
const SAMPLE = ['agentprovider.yaml', 'agent.yaml', 'implementationspec.yaml', 'agentrun-job.yaml'];

const log = (line: string) => console.error(`[dev] ${line}`);

async function ensureDatabase(name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: POSTGRES });
  await admin.connect();
  try {
    const exists = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (!exists.rowCount) await admin.query(`create database "${name}"`);
  } finally {
    await admin.end();
  }
  const url = new URL(POSTGRES);
  url.pathname = `/${name}`;
  return url.toString();
}

function must(res: { code: number; stdout: string; stderr: string }, what: string): string {
  if (res.code !== 0) throw new Error(`${what} failed (exit ${res.code}):\n${res.stderr || res.stdout}`);
  return res.stdout;
}

async function up(): Promise<void> {
  const started = performance.now();
  const stack = await Stack.up({
    release: RELEASE,
    namespace: NAMESPACE,
    stateDir: STATE_DIR,
    databaseUrl: await ensureDatabase('agents_dev'),
    natsUrl: NATS_URL,
    ports: PORTS,
    detached: true,
    log,
  });
  const server = stack.grpcAddress;
  const ctl = (args: string[]) => agentctl(server, NAMESPACE, args);

  log(`agentctl apply -f ${SAMPLE.join(' -f ')}`);
  must(await ctl(['apply', ...SAMPLE.flatMap((f) => ['-f', path.join(EXAMPLES_DIR, f)])]), 'agentctl apply');

  log(`following ${RUN}: the controllers create its Job; the agent runner runs here and streams to NATS`);
  await waitForRunSpec(NAMESPACE, RUN);
  const runner = await runRunnerLocally({
    namespace: NAMESPACE,
    run: RUN,
    natsUrl: NATS_URL,
    workDir: path.join(STATE_DIR, 'runs'),
    runnerId: 'dev',
  });
  if (runner.code !== 0) throw new Error(`the agent runner exited ${runner.code}:\n${runner.output}`);
  const wait = await ctl(['run', 'wait', RUN]);
  process.stdout.write(wait.stdout);
  must(wait, `agentctl run wait ${RUN}`);
  // The runner's events reach Postgres through the control plane's consumer; give it a moment to have them all.
  let logs = '';
  for (let i = 0; i < 40 && !logs.includes('exited'); i++) {
    logs = must(await ctl(['run', 'logs', RUN]), 'agentctl run logs');
    if (!logs.includes('exited')) await new Promise((r) => setTimeout(r, 250));
  }
  console.log(`\n$ agentctl run logs ${RUN}\n${logs}`);
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  console.log(`Sample run ${RUN} Succeeded; main job done in ${seconds} s. The stack stays up; try:

  alias agentctl="node $PWD/apps/agentctl/dist/agentctl.cjs"
  export AGENTCTL_SERVER=${server} AGENTCTL_NAMESPACE=${NAMESPACE}
  agentctl status
  agentctl get agentruns
  agentctl run submit --agent demo-agent --impl demo-task --runtime job
  agentctl run logs ${RUN} --follow
  curl -N '${stack.controlPlaneUrl}/v1/agent-events?agentRunNamespace=${NAMESPACE}&agentRunName=${RUN}'
  eval "$(hack/cluster/env)"; kubectl -n ${NAMESPACE} get agentruns,jobs,pods

Job pods are simulated by kwok (the Job succeeds on its own); the agent runner ran on this machine with the run's
run.json (${path.relative(REPO_ROOT, path.join(STATE_DIR, 'runs', NAMESPACE, RUN))}). Logs of the apps: .dev/logs/. Stop everything: hack/dev down`);
}

async function down(): Promise<void> {
  const stopped = await stopRecorded(STATE_DIR);
  log(stopped.length ? `stopped ${stopped.join(', ')}` : 'no app was running');
}

const command = process.argv[2] ?? 'up';
(command === 'down'
  ? down()
  : command === 'up'
    ? up()
    : Promise.reject(new Error(`unknown command ${command}: up or down`))
)
  .then(() => process.exit(0))
  .catch((err: unknown) => {
    console.error(`[dev] ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
