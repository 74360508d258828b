/**
 * `npm run bench`: orchestration overhead against the SSH floor and Ansible, the runbook's own
 * floor on simulated estates, and resources. `--json` prints one object; `--smoke` is a short
 * run for CI (no Ansible, small estates).
 */
import { benchTransport } from './transport.js';

const args = new Set(process.argv.slice(2));
const log = (line: string): void => void process.stderr.write(`${line}\n`);

async function main(): Promise<void> {
  const smoke = args.has('--smoke');
  const transport = await benchTransport({
    hosts: smoke ? 3 : 10,
    steps: smoke ? 5 : 20,
    repeats: smoke ? 1 : 3,
    ansible: !smoke && !args.has('--no-ansible'),
    log,
  });
  process.stdout.write(JSON.stringify({ transport }) + '\n');
}

await main();
