/** Shared test helpers: temp dirs, and running the durability modules in child processes. */
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import swc from '@swc/core';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** A fresh temp dir; `cleanup` removes it. */
export function makeTempDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'dr-durability-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Transpiles `src/errors.ts` and `src/durability/*.ts` into `outDir` as ESM JavaScript, so a
 * child process can import the real code (jest's transform does not reach child processes).
 * Returns the path of the compiled `src/durability` folder.
 */
export function compileDurability(outDir: string): string {
  const files = [
    'src/errors.ts',
    // The journal's last redaction pass.
    'src/log/secrets.ts',
    'src/log/redact.ts',
    ...readdirSync(join(repo, 'src/durability')).map((name) => `src/durability/${name}`),
  ];
  for (const file of files) {
    const { code } = swc.transformFileSync(join(repo, file), {
      jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
      module: { type: 'es6' },
      swcrc: false,
    });
    const out = join(outDir, file.replace(/\.ts$/, '.js'));
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, code);
  }
  writeFileSync(join(outDir, 'package.json'), '{"type":"module"}\n');
  return join(outDir, 'src/durability');
}

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Runs `node script ...args`; rejects if it has not exited within `timeoutMs` (and kills it). */
export function runNode(script: string, args: string[], timeoutMs = 30_000): Promise<ChildResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`child ${script} did not exit within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code, signal, stdout, stderr });
    });
  });
}

/** Spawns a process that exits at once and resolves with its (now dead) pid. */
export function deadPid(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', () => {
      if (child.pid === undefined) reject(new Error('no pid'));
      else resolvePromise(child.pid);
    });
  });
}
