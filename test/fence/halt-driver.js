// A run of the engine in a process of its own (the built modules in dist/), with the CLI's
// handling of SIGINT (abort the run's signal), which sends itself a real SIGINT at one exact
// point of the step `complus.disable` on hmc-mps-a:
//
//   probe       while its probe is out on the wire
//   afterProbe  once its probe answered, before the engine sees the answer
//   afterIntent once its intent is on disk, before its apply is sent
//
// It prints one JSON line: the journal length when the signal was handled, and every command
// that may apply sent after it (there must be none), then exits with the session's exit code.
// Usage: node halt-driver.js <dist folder> <inventory> <state dir> <point>
import { pathToFileURL } from 'node:url';
import { join } from 'node:path';

const [dist, inventoryFile, stateDir, point] = process.argv.slice(2);
const load = (path) => import(pathToFileURL(join(dist, path)).href);
const { runSession } = await load('src/engine/session.js');
const { labEstate, makeDeps, makeTransportPool, readPasswords } = await load('src/cli/compose.js');
const { DEFAULT_ENGINE_OPTIONS } = await load('src/engine/context.js');
const { loadInventory } = await load('src/cli/inventory.js');
const { parseHeader } = await load('src/remote/header.js');
const { RUNBOOKS } = await load('runbooks/index.js');

const controller = new AbortController();
process.on('SIGINT', () => controller.abort());

const inventory = await loadInventory(inventoryFile);
const runbook = RUNBOOKS[inventory.runbook];
const estate = await labEstate(inventory, stateDir);
const pool = makeTransportPool(inventory, estate, readPasswords(inventory), () => undefined);

let journalRef;
let signalledAtSeq;
const sentAfter = [];
const isTarget = (h) => h.action === 'complus.disable' && h.host === 'hmc-mps-a';

async function signalNow() {
  if (signalledAtSeq !== undefined) return;
  signalledAtSeq = journalRef.lastSeq;
  process.kill(process.pid, 'SIGINT');
  // Bounded: the handler runs on the next turns of the event loop.
  for (let i = 0; i < 400 && !controller.signal.aborted; i++) await new Promise((r) => setTimeout(r, 5));
}

function watched(transport) {
  async function run(script, options) {
    const header = parseHeader(script.split('\n', 1)[0] ?? '');
    const phase = 'error' in header ? 'unknown' : header.phase;
    // The estate lease's own renewal and release are not the run's changes.
    const lease = !('error' in header) && header.action === 'estate.lease';
    if (controller.signal.aborted && !lease && !['probe', 'verify'].includes(phase))
      sentAfter.push(`${phase} ${'error' in header ? '' : `${header.action} on ${header.host}`}`);
    const target = !('error' in header) && isTarget(header) && phase === 'probe';
    const running = transport.run(script, options);
    if (target && point === 'probe') await signalNow();
    const result = await running;
    if (target && point === 'afterProbe') await signalNow();
    return result;
  }
  return new Proxy(transport, {
    get(target, key) {
      if (key === 'run') return run;
      const value = target[key];
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

const result = await runSession(
  { inventoryFile: inventory.file, inventory, runbook: runbook.id, runbookVersion: runbook.version },
  {
    stateDir,
    mode: { kind: 'fresh' },
    signal: controller.signal,
    makeDeps: (runId, _runDir, journal) => {
      journalRef = journal;
      const realAppendMany = journal.appendMany.bind(journal);
      journal.appendMany = async (entries, options) => {
        const written = await realAppendMany(entries, options);
        if (point === 'afterIntent' && entries.some((e) => e.type === 'step.intent' && isTarget(e)))
          await signalNow();
        return written;
      };
      const deps = makeDeps({
        runbook,
        inventory,
        runId,
        pool,
        journal,
        emit: () => undefined,
        options: {
          ...DEFAULT_ENGINE_OPTIONS,
          lab: true,
          yes: true,
          operator: 'tester@lab',
          retryMinMs: 10,
          retryMaxMs: 20,
        },
      });
      return { ...deps, transport: (host) => watched(deps.transport(host)) };
    },
  },
).catch((error) => ({ exitCode: 99, message: String(error?.message ?? error) }));
await pool.closeAll();
await estate.close();
process.stdout.write(
  `${JSON.stringify({ signalledAtSeq, sentAfter, exitCode: result.exitCode, message: result.message })}\n`,
);
process.exit(result.exitCode);
