/**
 * Shared pieces for the front tests: inventories built in code, a node-ssh client that connects
 * with TCP_NODELAY and checks the host key, header-built commands, and a small fake estate for
 * the cases where a test must hold a command open at will.
 */

import { createHash } from 'node:crypto';
import { connect as netConnect, createServer } from 'node:net';
import { NodeSSH } from 'node-ssh';
import ssh2 from 'ssh2';
import type { AuthSpec, HostSpec, Inventory } from '../../src/inventory/types.js';
import type { EstatePort, ExecOutcome } from '../../src/lab/server/estate-port.js';
import { encodeCommand, POWERSHELL, scriptFromCommand } from '../../src/remote/deliver.js';
import { formatHeader, parseHeader, type Phase } from '../../src/remote/header.js';

/**
 * An ed25519 pair ssh2 can read back: ssh2 1.17's generator drops a leading zero byte of the
 * public key about once in 256 keys, and the result does not parse.
 */
export function generateEd25519(): { private: string; public: string } {
  for (let attempt = 0; attempt < 16; attempt++) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519');
    if (!(ssh2.utils.parseKey(pair.private) instanceof Error)) return pair;
  }
  throw new Error('ssh2 generated 16 unreadable ed25519 keys in a row');
}

export function makeInventory(names: string[], auth: AuthSpec, user = 'administrator'): Inventory {
  const hosts: HostSpec[] = names.map((name, i) => ({
    name,
    address: '127.0.0.1',
    port: 22000 + i,
    user,
    auth,
    transport: 'ssh',
    roles: i === 0 ? ['mps'] : ['webServices'],
  }));
  return {
    file: '/nonexistent/lab.yaml',
    runbook: 'kb979704',
    packageDir: '/nonexistent/packages/ur6',
    facts: {},
    hosts,
    roles: {
      mps: names.slice(0, 1),
      webServices: names.slice(1),
      prov: [],
      omsql: [],
      mpssql: [],
      dns: [],
      exhub: [],
    },
    rollout: { window: 5, hubWindow: 1, errorBudget: 0 },
    lab: { ur5Installed: false, upgradedFromHmc40: true },
    source: '',
  };
}

/** A header-only script, as the orchestrator would send it, wrapped as `-EncodedCommand`. */
export function headerScript(host: string, action: string, target: string, phase: Phase = 'probe'): string {
  return (
    formatHeader({ run: 'r1', step: `${action}:${target}`, action, phase, host, target, params: {} }) + '\n'
  );
}

export function encodedCommand(script: string): string {
  return `${POWERSHELL} -EncodedCommand ${encodeCommand(script)}`;
}

export function fingerprintOfBlob(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

export interface ConnectOptions {
  port: number;
  username?: string;
  password?: string;
  privateKey?: string;
  /** Seen host key fingerprints are pushed here. */
  seen?: string[];
  readyTimeout?: number;
}

export async function connectClient(options: ConnectOptions): Promise<NodeSSH> {
  const ssh = new NodeSSH();
  await ssh.connect({
    host: '127.0.0.1',
    port: options.port,
    username: options.username ?? 'administrator',
    ...(options.password === undefined ? {} : { password: options.password }),
    ...(options.privateKey === undefined ? {} : { privateKey: options.privateKey }),
    readyTimeout: options.readyTimeout ?? 20000,
    hostVerifier: (blob: Buffer) => {
      options.seen?.push(fingerprintOfBlob(blob));
      return true;
    },
    sock: netConnect({ host: '127.0.0.1', port: options.port, noDelay: true }),
  });
  // node-ssh listens for errors only while connecting. A server closed right after a client's
  // dispose() resets the half-closed socket; that must not crash the test process.
  ssh.connection?.on('error', () => undefined);
  return ssh;
}

/** Resolves with `fallback` if `promise` has not settled within `ms` (a client-side timeout). */
export function within<T, F>(promise: Promise<T>, ms: number, fallback: F): Promise<T | F> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<F>((resolve) => {
    timer = setTimeout(() => resolve(fallback), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * An in-memory estate: echoes `DR:action=…` and a sentinel for every header-built command.
 * `behaviour` lets a test choose an outcome per command or hold commands until it releases them.
 */
export class FakeEstate implements EstatePort {
  readonly files = new Map<string, Buffer>();
  readonly commands: string[] = [];
  /** The script text of every command that carried one, as the host decoded it. */
  readonly scripts: string[] = [];
  faults = new Map<string, 'refuse' | 'down'>();
  behaviour: ((host: string, action: string) => Promise<ExecOutcome> | undefined) | undefined;
  private readonly keys = new Map<string, { privateKey: string; fingerprint: string }>();

  constructor(private readonly names: string[]) {
    for (const name of names) {
      const pair = generateEd25519();
      const blob = Buffer.from(pair.public.split(' ')[1] ?? '', 'base64');
      this.keys.set(name, { privateKey: pair.private, fingerprint: fingerprintOfBlob(blob) });
    }
  }

  hostNames(): string[] {
    return [...this.names];
  }
  hostKey(host: string): { privateKey: string; fingerprint: string } {
    const key = this.keys.get(host);
    if (!key) throw new Error(`no host ${host}`);
    return key;
  }
  connectFault(host: string): 'refuse' | 'down' | undefined {
    return this.faults.get(host);
  }
  async exec(host: string, command: string, stdin?: string): Promise<ExecOutcome> {
    this.commands.push(`${host} ${command}`);
    const found = scriptFromCommand(command, stdin);
    if ('refused' in found) return { kind: 'exit', stdout: '', stderr: found.refused, exitCode: 1 };
    if ('error' in found) return { kind: 'exit', stdout: '', stderr: found.error, exitCode: 1 };
    this.scripts.push(found.script);
    const header = parseHeader(found.script.split('\n')[0] ?? '');
    if ('error' in header) return { kind: 'exit', stdout: '', stderr: header.error, exitCode: 1 };
    const chosen = this.behaviour?.(host, header.action);
    if (chosen) return chosen;
    return { kind: 'exit', stdout: `DR:action=${header.action}\n__RC__=0\n`, stderr: '', exitCode: 0 };
  }
  writeFile(host: string, windowsPath: string, content: Buffer): void {
    this.files.set(`${host}|${windowsPath.toLowerCase()}`, Buffer.from(content));
  }
  readFile(host: string, windowsPath: string): Buffer | undefined {
    return this.files.get(`${host}|${windowsPath.toLowerCase()}`);
  }
  statFile(host: string, windowsPath: string): { size: number } | undefined {
    const file = this.readFile(host, windowsPath);
    return file ? { size: file.length } : undefined;
  }
}

/** A free port below Linux's ephemeral range (ports above it collide with client sockets). */
export async function freeLowPort(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const free = await new Promise<boolean>((done) => {
      const probe = createServer();
      probe.once('error', () => done(false));
      probe.listen({ host: '127.0.0.1', port }, () => probe.close(() => done(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port below 32768 after 50 tries');
}
