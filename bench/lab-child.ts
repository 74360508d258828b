/**
 * The simulated estate in its own process (so its memory is measured apart from the
 * orchestrator's): `node dist/bench/lab-child.js <inventory> <timeScale>`. Prints one JSON line
 * with the endpoints when serving; on a `stop` line on stdin, writes the command events to
 * `<inventory>.events.json` and prints its peak RSS.
 */
import { writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { runbookFor } from '../runbooks/index.js';
import { loadInventory } from '../src/cli/inventory.js';
import { Estate } from '../src/lab/model/estate.js';
import { startLabServer } from '../src/lab/server/ssh-server.js';

const [inventoryFile, scale] = process.argv.slice(2);
if (!inventoryFile) throw new Error('usage: lab-child <inventory> <timeScale>');
const inventory = await loadInventory(inventoryFile);
// In memory: the state file's 50 ms autosave would re-serialize 1,000 hosts all run long.
const estate = Estate.create(inventory, runbookFor(inventory), { timeScale: Number(scale ?? 0) });
const server = await startLabServer(estate, inventory, { bind: 'inventory' });
process.stdout.write(JSON.stringify({ ready: true, endpoints: server.endpoints }) + '\n');

const lines = createInterface({ input: process.stdin });
for await (const line of lines) {
  if (line.trim() !== 'stop') continue;
  await server.close();
  await writeFile(`${inventoryFile}.events.json`, JSON.stringify(estate.state.events));
  process.stdout.write(JSON.stringify({ peakRssMb: process.resourceUsage().maxRSS / 1024 }) + '\n');
  break;
}
process.exit(0);
