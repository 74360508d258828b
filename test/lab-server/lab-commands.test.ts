import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { labPackage, labUp } from '../../src/cli/lab-commands.js';
import { commandFor } from '../../src/lab/model/command.js';
import { loadState } from '../../src/lab/model/persist.js';
import { header } from './front-contract.js';
import { connectClient, freeLowPort } from './helpers.js';

const VAR = 'DEPLOY_ROLLUP_LAB_TEST_PASSWORD';

describe('lab commands', () => {
  let dir: string;
  let inventoryFile: string;
  let ports: number[];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lab-up-'));
    ports = [await freeLowPort(), await freeLowPort()];
    inventoryFile = join(dir, 'lab.yaml');
    await writeFile(
      inventoryFile,
      [
        'defaults:',
        '  user: administrator',
        `  auth: { passwordEnv: ${VAR} }`,
        'hosts:',
        `  hmc-mps-a: { address: 127.0.0.1, port: ${ports[0]}, roles: [mps] }`,
        `  hmc-web-b: { address: 127.0.0.1, port: ${ports[1]}, roles: [webServices] }`,
        'lab: { ur5Installed: false, upgradedFromHmc40: true }',
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    delete process.env[VAR];
    await rm(dir, { recursive: true, force: true });
  });

  test('lab up without the password variable fails as bad input and names the variable', async () => {
    delete process.env[VAR];
    await expect(
      labUp({ inventoryFile, stateFile: join(dir, 'never.json'), out: () => undefined }),
    ).rejects.toMatchObject({
      code: 'LAB_PASSWORD_UNSET',
      exitCode: 2,
      message: expect.stringContaining(`$${VAR}`),
    });
  });

  test('lab up serves each host on its inventory port until stopped, then saves the state', async () => {
    process.env[VAR] = 'rehearsal';
    const stateFile = join(dir, 'state.json');
    const lines: string[] = [];
    const stop = new AbortController();
    const running = labUp({
      inventoryFile,
      stateFile,
      signal: stop.signal,
      out: (l) => lines.push(l),
      err: (l) => lines.push(l),
    });
    for (let i = 0; i < 200 && !lines.some((l) => l.includes('Ctrl-C')); i++) await sleep(25);
    expect(lines.join('\n')).toMatch(new RegExp(`hmc-web-b  127\\.0\\.0\\.1:${ports[1]}  SHA256:\\S+`));

    const ssh = await connectClient({ port: ports[1]!, password: 'rehearsal' });
    try {
      const result = await ssh.execCommand(commandFor(header('hmc-web-b', 'iis.reset', '', 'apply')));
      expect(result.code).toBe(0);
    } finally {
      ssh.dispose();
    }
    stop.abort();
    await expect(running).resolves.toBe(0);
    const state = await loadState(stateFile);
    expect(state.events.map((e) => `${e.host} ${e.action} ${e.phase}`)).toEqual([
      'hmc-web-b iis.reset apply',
    ]);
  });

  test('lab package writes the 33 files of the stand-in rollup', async () => {
    const outDir = join(dir, 'ur6');
    const lines: string[] = [];
    await expect(labPackage({ outDir, out: (l) => lines.push(l) })).resolves.toBe(0);
    expect(await readdir(outDir)).toHaveLength(33);
    expect(lines.join('\n')).toMatch(/^wrote 33 files \(\d+ bytes\) to /);
  });
});
