import { Command, InvalidArgumentError, Option } from 'commander';
import { cancelCommand } from './commands/cancel.ts';
import { demoCommand } from './commands/demo.ts';
import { deployCommand } from './commands/deploy.ts';
import { listCommand, logsCommand, statusCommand } from './commands/inspect.ts';
import { migrateCommand } from './commands/migrate.ts';
import { resumeCommand } from './commands/resume.ts';
import { serveCommand } from './commands/serve.ts';
import { verifyCommand } from './commands/verify.ts';
import { workerCommand } from './commands/worker.ts';
import { EXIT, reportError } from './exit.ts';

const collect = (value: string, previous: string[]) => [...previous, value];
const positiveInt = (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
  return n;
};

const program = new Command('hyperdeploy')
  .description('Journaled, crash-safe smart contract deployments to Metis and other EVM chains')
  .version('0.1.0')
  .exitOverride()
  .configureOutput({ writeErr: (text) => process.stderr.write(text) });

/** Flags every command takes. */
const withGlobals = (command: Command) =>
  command
    .option('--db <path>', 'SQLite store (default .hyperdeploy/hyperdeploy.db, or HYPERDEPLOY_DB)')
    .option('--config <path>', 'config file (default ./hyperdeploy.config.json)')
    .addOption(
      new Option('--log-level <level>', 'JSON logs on stderr').choices([
        'silent',
        'error',
        'warn',
        'info',
        'debug',
      ]),
    );

let json = false;
const run =
  (action: (...args: never[]) => Promise<number>) =>
  async (...args: unknown[]) => {
    const options = args.find(
      (arg) =>
        typeof arg === 'object' && arg !== null && !Array.isArray(arg) && !(arg instanceof Command),
    ) as { json?: boolean } | undefined;
    json = Boolean(options?.json);
    process.exitCode = await (action as (...a: unknown[]) => Promise<number>)(...args);
  };

withGlobals(
  program
    .command('deploy')
    .argument(
      '[input]',
      'file.sol[:Contract], or an artifact .json (Hardhat, Foundry, Truffle, build-info)',
    ),
)
  .description('deploy one contract and follow it to completion')
  .requiredOption('--chain <name>', 'chain preset or configured chain (name or id)')
  .option('--rpc <url>', 'RPC URL for this chain (repeatable; overrides the preset)', collect, [])
  .option('--args <json>', 'constructor arguments as a JSON array, e.g. \'[1000,"0xabc…"]\'')
  .option('--build-id <id>', 'your build reference, stored with the deployment')
  .option('--confirmations <n>', 'blocks to wait for', positiveInt)
  .option('--bytecode <hex>', 'creation bytecode (with --abi) instead of a file')
  .option('--abi <file>', 'ABI JSON file for --bytecode')
  .option('--contract <name>', 'contract to pick from a file with several')
  .option('--libraries <Name=0x…>', 'link a library (repeatable)', collect, [])
  .option('--verify', 'verify on the chain explorer after confirmation (the default)')
  .option('--no-verify', 'do not verify on the explorer')
  .option('--explorer-api <url>', "override the chain's explorer verification API")
  .addOption(
    new Option('--explorer-type <type>', 'explorer API kind').choices([
      'etherscan',
      'blockscout-v2',
    ]),
  )
  .option('--json', 'print the final deployment object as JSON')
  .option('--server <url>', 'submit to a running `hyperdeploy serve` and follow its stream')
  .action(run(deployCommand as never));

withGlobals(program.command('status').argument('<id>'))
  .description('show one deployment')
  .option('--json')
  .action(run(statusCommand as never));

withGlobals(program.command('list'))
  .description('list deployments, newest first')
  .option('--status <status>')
  .option('--chain-id <id>', 'filter by chain id', positiveInt)
  .option('--build-id <id>')
  .option('--limit <n>', 'at most this many', positiveInt)
  .option('--json')
  .action(run(listCommand as never));

withGlobals(program.command('logs').argument('<id>'))
  .description('show the journal of a deployment')
  .option('--json')
  .action(run(logsCommand as never));

withGlobals(program.command('verify').argument('<id>'))
  .description('verify a deployment on the explorer again and wait for the outcome')
  .option('--chain <name>', 'the chain (to apply --rpc / --explorer-api)')
  .option('--rpc <url>', 'RPC URL for --chain (repeatable)', collect, [])
  .option('--explorer-api <url>', "override the chain's explorer verification API")
  .addOption(
    new Option('--explorer-type <type>', 'explorer API kind').choices([
      'etherscan',
      'blockscout-v2',
    ]),
  )
  .option('--json')
  .action(run(verifyCommand as never));

withGlobals(program.command('cancel').argument('<id>'))
  .description('cancel a deployment that has not signed a transaction yet')
  .option('--json')
  .action(run(cancelCommand as never));

withGlobals(program.command('resume'))
  .description('continue every unfinished deployment from its journal')
  .option('--chain <name>', 'only this chain (and apply --rpc to it)')
  .option('--rpc <url>', 'RPC URL for --chain (repeatable; never stored)', collect, [])
  .option('--json')
  .action(run(resumeCommand as never));

withGlobals(program.command('migrate'))
  .description("apply the store's pending migrations (SQLite file or postgres:// URL)")
  .action(run(migrateCommand as never));

withGlobals(program.command('serve'))
  .description('run the HTTP API, the WebSocket stream, the dashboard and the worker')
  .option('--host <host>', 'interface to listen on', '127.0.0.1')
  .option('--port <port>', 'port (0: any free one)', (v) => Number(v), 8080)
  .option('--no-worker', 'API node only: deployments run on `hyperdeploy worker` processes')
  .option(
    '--lease-ms <ms>',
    "the worker's lease: unrenewed this long, another takes over",
    positiveInt,
    30_000,
  )
  .action(run(serveCommand as never));

withGlobals(program.command('worker'))
  .description('run deployments from the store; start several against one PostgreSQL store')
  .option('--chain <name>', 'apply --rpc to this chain')
  .option('--rpc <url>', 'RPC URL for --chain (repeatable; never stored)', collect, [])
  .option(
    '--lease-ms <ms>',
    'unrenewed this long, a lease passes to another worker',
    positiveInt,
    30_000,
  )
  .option('--poll-ms <ms>', 'how often to look for due work', positiveInt, 1_000)
  .option('--concurrency <n>', 'deployments run at once', positiveInt, 1_000)
  .option('--owner <name>', 'stable worker name: a restart takes back its leases at once')
  .action(run(workerCommand as never));

program
  .command('demo')
  .description('start local anvil chains for the three targets and deploy the sample contracts')
  .option('--once', 'exit when the deployments are done')
  .option('--port <port>', 'dashboard port (taken: any free one)', (v) => Number(v), 8080)
  .option('--db <path>', 'store for the demo (default .hyperdeploy/demo.db)')
  .option('--log-level <level>')
  .action(run(demoCommand as never));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  process.exitCode = reportError(error, json);
}
if (process.exitCode === undefined) process.exitCode = EXIT.ok;
