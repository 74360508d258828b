#!/usr/bin/env node
/**
 * deploy-rollup: the command line. One top-level catch maps error kinds to exit codes and never
 * shows a stack trace for a user's mistake. Heavy modules load lazily inside handlers.
 */
import type { RunFlags } from './run-command.js';
import { Command, CommanderError, Option } from 'commander';
import { DeployError, EXIT, formatDeployError, isDeployError } from '../errors.js';
import { guardOutputStreams } from '../log/stream-guard.js';
import type { ScriptsFlags } from './scripts-command.js';
import { Interrupts } from './interrupt.js';
import { checkCommandWord, packageVersion } from './version.js';

const EXAMPLES = `
Examples:
  deploy-rollup --inventory inventory/lab.yaml --lab --yes          rehearse the whole rollup on the simulated estate
  deploy-rollup --inventory prod.yaml --dry-run --offline            print the plan from pinned facts, touch nothing
  deploy-rollup --inventory prod.yaml --dry-run --save-plan p.json   probe read-only and save the plan
  deploy-rollup --inventory prod.yaml --plan p.json                  run exactly that plan (refused if stale)
  deploy-rollup --inventory prod.yaml --resume --confirm uninstallComponents
  deploy-rollup --inventory prod.yaml --abandon                      give up, discharging open obligations
  deploy-rollup status --inventory prod.yaml
  deploy-rollup verify --inventory prod.yaml
  deploy-rollup --inventory prod.yaml --format mermaid > ur6.mmd    the runbook statechart as Mermaid
  deploy-rollup --inventory inventory/lab.yaml --lab --yes --faults faults.yaml   rehearse with failures
  deploy-rollup runbooks                                              the runbooks an inventory can name (runbook: ID)
  deploy-rollup --inventory prod.yaml --exclude exhub-west --hub-window 1   leave a hub for later; then --resume

Output: a live progress view on a terminal; plain timestamped lines when piped; --json streams one
JSON event per line. Every run leaves report.md and report.json in its run directory.

Every stop prints a "next:" command to paste: it keeps --lab, --lab-engine, --state-dir, --faults
and the inventory path. Ctrl-C stops at a resumable point, naming the steps it waits for; a
second Ctrl-C quits at once (still resumable).

Exit codes: 0 done; 1 failed at a resumable point; 2 bad input or usage (nothing started);
3 preflight blocked (nothing changed); 4 another run holds the lock or the estate lease; 10 waiting
for an operator gate.`;

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

async function main(argv: string[]): Promise<number> {
  // The last redaction pass over everything this process prints (src/log/stream-guard.ts).
  guardOutputStreams();
  // The first Ctrl-C stops at a resumable point and names what it waits for; the second quits.
  const interrupts = new Interrupts();
  const controller = interrupts.controller;
  const onSignal = (): void => interrupts.handle();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let exitCode = EXIT.done as number;
  const program = new Command('deploy-rollup')
    .description(
      'Run an Exchange/HMC runbook across an estate as a resumable, audited statechart (default: HMC 4.5 Update Rollup 6, KB979704; "deploy-rollup runbooks" lists them).',
    )
    .version(packageVersion(), '--version', 'print the version and exit')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) })
    .option('--inventory <file>', 'the inventory (YAML) naming the runbook, hosts and roles')
    .option('--dry-run', 'connect, probe read-only and print the plan; change nothing')
    .option('--offline', 'with --dry-run: no connection; facts come from the inventory')
    .addOption(
      new Option('--format <format>', 'plan output format')
        .choices(['text', 'json', 'mermaid'])
        .default('text'),
    )
    .option('--resume [runId]', 'continue the latest unfinished run of this inventory (or the one named)')
    .option('--confirm <gate>', 'confirm a waiting operator gate (repeatable)', collect)
    .option('--yes', 'confirm every gate (lab rehearsals)')
    .option(
      '--accept-new-host-keys',
      'record unknown host keys on first contact; changed keys are still refused',
    )
    .option('--abandon', 'give up an unfinished run, discharging its open obligations')
    .option('--no-cleanup', 'with --abandon: leave obligations open')
    .option('--save-plan <file>', 'with --dry-run: save the plan and its fingerprint')
    .option('--plan <file>', 'run exactly this saved plan; refuse if the estate no longer matches it')
    .option('--state-dir <dir>', 'where run directories live (default: .deploy-rollup beside the inventory)')
    .option('--lab', 'start the simulated estate for this inventory in-process and run against it')
    .addOption(
      new Option(
        '--lab-engine <engine>',
        'with --lab: what runs the scripts (pwsh: real PowerShell 7)',
      ).choices(['model', 'pwsh']),
    )
    .option('--faults <file>', 'with --lab: inject faults from this YAML file')
    .option('--json', 'stream one JSON event per line on stderr instead of readable lines')
    .option('--no-color', 'no colour (NO_COLOR is honoured too)')
    .option('--verbose', 'show every remote command')
    .option('--step-timeout <seconds>', 'deadline for each remote step, whole seconds from 1 (default 1800)')
    .option('--retries <n>', 'retries for transient failures (default 4)')
    .option('--retry-delay <ms>', 'first retry delay, doubling up to 15 s (default 500)')
    .option(
      '--no-batch',
      "send every step as its own command (default: a host's consecutive steps go in one script where they can)",
    )
    // Operator controls (src/cli/controls.ts): checked before anything starts, journalled per invocation.
    .option(
      '--limit <hosts>',
      'work only on these hosts (comma-separated names or roles); the rest wait for a later run',
    )
    .option('--exclude <hosts>', 'leave these hosts (names or roles) for a later run')
    .option(
      '--window <n>',
      "this run only: hosts of one role worked on at once (the inventory's rollout.window)",
    )
    .option('--hub-window <n>', 'this run only: hub transport servers restarted at once (rollout.hubWindow)')
    .option(
      '--error-budget <n>',
      'this run only: failed hosts tolerated before no new host starts (rollout.errorBudget)',
    )
    .option(
      '--pause-after-first-hub',
      'stop after the first hub of the rolling hub stage at gate firstHubHealth, showing its transport service and queue',
    )
    .option(
      '--take-over-lease',
      "take over another workstation's estate lease once it has expired (its holder is shown)",
    )
    .addHelpText('after', EXAMPLES)
    .action(async (flags: Partial<RunFlags>) => {
      if (typeof flags.inventory !== 'string') {
        throw new DeployError('badInput', '--inventory FILE is required', {
          code: 'USAGE',
          hint: 'deploy-rollup --help shows examples',
        });
      }
      if (flags.format === 'mermaid') {
        const { mermaidCommand } = await import('./mermaid-command.js');
        exitCode = await mermaidCommand(flags.inventory);
        return;
      }
      const { runCommand } = await import('./run-command.js');
      exitCode = await runCommand({ ...flags, inventory: flags.inventory }, controller.signal, interrupts);
    });

  program
    .command('verify')
    .description('read-only: is the rollup fully applied on every host that needs it?')
    .requiredOption('--inventory <file>', 'the inventory')
    .option('--state-dir <dir>', 'where known_hosts lives')
    .option('--lab', 'verify the simulated estate (its saved state) instead of real hosts')
    .addOption(
      new Option(
        '--lab-engine <engine>',
        'with --lab: what runs the scripts (pwsh: real PowerShell 7)',
      ).choices(['model', 'pwsh']),
    )
    .option('--accept-new-host-keys', 'record unknown host keys on first contact')
    .addHelpText(
      'after',
      `
Examples:
  deploy-rollup verify --inventory inventory/lab.yaml --lab     check the simulated estate after a rehearsal
  deploy-rollup verify --inventory prod.yaml                    check real hosts (read-only)

Exit codes: 0 every host is at the rollup's versions; 1 something is missing (listed per host); 2 bad input.`,
    )
    .action(
      async (flags: {
        inventory: string;
        stateDir?: string;
        lab?: boolean;
        labEngine?: string;
        acceptNewHostKeys?: boolean;
      }) => {
        const { verifyCommand } = await import('./verify-command.js');
        exitCode = await verifyCommand(flags);
      },
    );

  program
    .command('runbooks')
    .description('list the runbooks this build can run (the inventory chooses one with runbook:)')
    .option('--json', 'machine-readable output')
    .action(async (flags: { json?: boolean }) => {
      const { runbooksCommand } = await import('./runbooks-command.js');
      exitCode = runbooksCommand(flags);
    });

  program
    .command('status')
    .description('where a run stands: stage, per-host progress, failures, open obligations, waiting gates')
    .argument('[runId]', 'a run id (default: the latest run of the inventory)')
    .requiredOption('--inventory <file>', 'the inventory')
    .option('--state-dir <dir>', 'where run directories live')
    .option('--json', 'machine-readable output')
    .addHelpText(
      'after',
      `
Examples:
  deploy-rollup status --inventory prod.yaml                    the latest run of this inventory
  deploy-rollup status 20260101-120000-ab12 --inventory prod.yaml --json
It reads the run's files only: state as recorded, the stage and gate it waits at, steps per host,
open obligations, pending reboots and the history of runs; no runs yet is exit 0.
The full record of a run is report.md / report.json in its run directory.`,
    )
    .action(
      async (runId: string | undefined, flags: { inventory: string; stateDir?: string; json?: boolean }) => {
        const { statusCommand } = await import('./status-command.js');
        exitCode = await statusCommand(runId, flags);
      },
    );

  program
    .command('scripts')
    .description(
      'write every script the plan would send, one .ps1 per step and index.json, for review before the window',
    )
    .requiredOption('--inventory <file>', 'the inventory')
    .requiredOption('--out <dir>', 'a new or empty folder for the scripts and index.json')
    .option('--offline', 'no connection: facts from the inventory, identities from the package folder')
    .option('--plan <file>', 'the saved plan (--save-plan) to export; refused if stale')
    .option('--state-dir <dir>', 'where known_hosts lives (and, with --lab, the simulated estate)')
    .option('--lab', 'probe the simulated estate instead of real hosts')
    .option(
      '--run-id <id>',
      'the run id the script headers name (default RUN_ID: a run gets its id when it starts)',
    )
    .option('--accept-new-host-keys', 'record unknown host keys on first contact')
    .addHelpText(
      'after',
      `
Examples:
  deploy-rollup scripts --inventory prod.yaml --offline --out cab/   from pinned facts and the package, no connection
  deploy-rollup scripts --inventory prod.yaml --out cab/             probe read-only first, as --dry-run does
  deploy-rollup scripts --inventory prod.yaml --plan p.json --out cab/   exactly the saved plan's steps (refused if stale)

Layout: DIR/<stage>/<host>/<step>.ps1 (a step that is not sent as one script: <step>.<phase>.ps1 per
script), and DIR/index.json: [{ step, host, action, target, phase, file, sha256, exact, runtime, … }].
Each file is byte for byte what a run sends (with --no-batch; a batch carries the same code, framed),
except the header's run id and the values only a run knows: captures noted by earlier steps and
secrets appear as "<run-time capture STEP:KEY>" / "<run-time secret NAME>" markers, listed in
index.json (runtime, exact: false). No secret is ever written.

Exit codes: 0 written; 2 bad input (a non-empty --out, no readable package offline, a missing fact);
3 the saved plan is stale or preflight blocked.`,
    )
    .action(async (flags: ScriptsFlags) => {
      const { scriptsCommand } = await import('./scripts-command.js');
      exitCode = await scriptsCommand(flags);
    });

  const lab = program.command('lab').description('the simulated HMC estate');
  lab
    .command('up')
    .description('serve the simulated estate over SSH until stopped (Ctrl-C)')
    .requiredOption('--inventory <file>', 'the lab inventory')
    .option(
      '--state <file>',
      'the lab state file (created if absent; default: the one a --lab run of this inventory uses)',
    )
    .option('--state-dir <dir>', 'where runs of this inventory keep their state (as for the run)')
    .option('--faults <file>', 'inject faults from this YAML file')
    .addOption(
      new Option('--lab-engine <engine>', 'what runs the scripts (pwsh: real PowerShell 7)').choices([
        'model',
        'pwsh',
      ]),
    )
    .addHelpText(
      'after',
      `
Examples:
  deploy-rollup lab up --inventory inventory/lab.yaml
  deploy-rollup lab up --inventory inventory/lab.yaml --faults faults.yaml

A two-terminal rehearsal: while lab up serves the inventory, a run of the same inventory (and
--state-dir) with --lab uses this estate instead of starting its own, and its simulated operator
does the Deployment Tool work at the gates:
  deploy-rollup --inventory inventory/lab.yaml --lab --yes
lab up writes STATE_DIR/lab/up-<key>.json (its pid, state file, ports and host keys) for the run
to find, and removes it when stopped. Faults belong to lab up then (a run's --faults is refused).
Hosts listen on the inventory's loopback ports; set DEPLOY_ROLLUP_LAB_PASSWORD to the same value
in both terminals. Without --lab, a run reaches the same ports as real hosts: first contact needs
--accept-new-host-keys and no gate work is done for you.`,
    )
    .action(
      async (flags: {
        inventory: string;
        state?: string;
        stateDir?: string;
        faults?: string;
        labEngine?: string;
      }) => {
        const { labUp } = await import('./lab-commands.js');
        exitCode = await labUp({
          inventoryFile: flags.inventory,
          ...(flags.state ? { stateFile: flags.state } : {}),
          ...(flags.stateDir ? { stateDir: flags.stateDir } : {}),
          ...(flags.faults ? { faultsFile: flags.faults } : {}),
          ...(flags.labEngine ? { engine: flags.labEngine } : {}),
          signal: controller.signal,
        });
      },
    );
  lab
    .command('package')
    .description("write a runbook's stand-in package (UR6: the 33 files at the KB sizes)")
    .requiredOption('--out <dir>', 'output folder')
    .option('--runbook <id>', 'which runbook (see "deploy-rollup runbooks")', 'kb979704')
    .addHelpText(
      'after',
      `
Example:
  deploy-rollup lab package --out inventory/packages/ur6-lab`,
    )
    .action(async (flags: { out: string; runbook: string }) => {
      const { labPackage } = await import('./lab-commands.js');
      exitCode = await labPackage({ outDir: flags.out, runbook: flags.runbook });
    });
  lab
    .command('shell')
    .description('the forced command behind a real OpenSSH sshd (reads SSH_ORIGINAL_COMMAND)')
    .requiredOption('--inventory <file>', 'the lab inventory')
    .requiredOption('--state <file>', 'the lab state file')
    .requiredOption('--host <name>', 'which simulated host this sshd is')
    .option('--faults <file>', 'faults file')
    .addOption(
      new Option('--lab-engine <engine>', 'what runs the scripts (pwsh: real PowerShell 7)').choices([
        'model',
        'pwsh',
      ]),
    )
    .addHelpText(
      'after',
      `
Example (sshd_config of one simulated host):
  ForceCommand deploy-rollup lab shell --inventory /srv/lab.yaml --state /srv/lab-state.json --host hmc-mps-a`,
    )
    .action(
      async (flags: {
        inventory: string;
        state: string;
        host: string;
        faults?: string;
        labEngine?: string;
      }) => {
        const { labShell } = await import('./lab-commands.js');
        exitCode = await labShell({
          inventoryFile: flags.inventory,
          stateFile: flags.state,
          host: flags.host,
          ...(flags.faults ? { faultsFile: flags.faults } : {}),
          ...(flags.labEngine ? { engine: flags.labEngine } : {}),
        });
      },
    );

  try {
    checkCommandWord(argv.slice(2), [...program.commands.map((c) => c.name()), 'help']);
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      return error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.exitCode === 0
        ? EXIT.done
        : EXIT.badInput;
    }
    if (isDeployError(error)) {
      process.stderr.write(formatDeployError(error) + '\n');
      return error.exitCode;
    }
    process.stderr.write(
      `internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    return EXIT.failed;
  }
}

main(process.argv).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`internal error: ${String(error)}\n`);
    process.exitCode = EXIT.failed;
  },
);
