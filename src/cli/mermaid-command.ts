/** `--format mermaid`: the inventory's runbook statechart as a Mermaid diagram on stdout. */
import { EXIT } from '../errors.js';
import { loadInventory } from './inventory.js';
import { renderMermaid } from '../plan/render-mermaid.js';
import { runbookFor } from '../../runbooks/index.js';

export async function mermaidCommand(inventoryFile: string): Promise<number> {
  const inventory = await loadInventory(inventoryFile);
  process.stdout.write(renderMermaid(runbookFor(inventory).machine));
  return EXIT.done;
}
