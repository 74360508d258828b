/**
 * A real ssh2 `Server` on 127.0.0.1 for transport tests. It stands in for Win32-OpenSSH only as
 * far as the transport cares: password and public-key auth, exec channels with exit status,
 * standard input read to EOF for the stdin bootstrap (as powershell.exe's `$input` reads it),
 * an in-memory SFTP folder tree, and OpenSSH's MaxSessions cap (the 11th concurrent session is
 * refused). Scripts steer it with `#test` directive lines:
 *
 *   #test exit=N    exit with N (default 0) after printing `__RC__=N`
 *   #test hang      never answer (until the client closes the channel)
 *   #test drop      print a line, then cut the TCP connection
 *   #test gate=N    hold until N sessions have been open at once (bounded to 5 s), then exit 0
 *   #test bytes=N   print N bytes of filler lines before the sentinel
 *   #test stderr=S  write S to stderr
 */

import { createHash } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import ssh2 from 'ssh2';
import type { Connection, ServerChannel } from 'ssh2';
import { isStdinBootstrap, scriptFromCommand } from '../../../src/remote/deliver.js';

const { Server, utils } = ssh2;
const { STATUS_CODE } = utils.sftp;

export interface TestSshServer {
  port: number;
  hostKeyBlob: Buffer;
  fingerprint: string;
  /** TCP connections accepted so far. */
  readonly connections: number;
  readonly openSessions: number;
  /** The most sessions ever open at once. */
  readonly maxOpenSessions: number;
  /** Sessions refused by the MaxSessions cap. */
  readonly refusedSessions: number;
  /**
   * What happened, in order: `mkdir PATH`, `write PATH`, `sftp` (a session opened),
   * `exec COMMAND`, `stdin LENGTH` (a stdin bootstrap's input, at EOF), `exec-closed`.
   */
  readonly events: string[];
  /** The script text of every command that carried one, as the server decoded it. */
  readonly scripts: string[];
  /** Uploaded files by SFTP path. */
  readonly files: Map<string, Buffer>;
  /** Calls `listener` when an exec channel arrives (after it is recorded). */
  onExec(listener: (command: string) => void): void;
  close(): Promise<void>;
}

export interface TestSshServerOptions {
  user?: string;
  password?: string;
  /** Public key (OpenSSH `ssh-ed25519 AAAA...` line) accepted for public-key auth. */
  clientPublicKey?: string;
  maxSessions?: number;
  /** Use this host key (OpenSSH private key text) instead of a fresh one. */
  hostKey?: string;
  /** Never answer writes to files whose SFTP path this matches (a transfer that hangs). */
  stallWrites?: RegExp;
}

export function fingerprintOfBlob(blob: Buffer): string {
  return 'SHA256:' + createHash('sha256').update(blob).digest('base64').replace(/=+$/, '');
}

/**
 * A fresh ed25519 pair ssh2 can read back: its generator drops a leading zero byte about once in
 * 256 keys (see `generateHostKey`), so generate again, bounded.
 */
export function generateKey(): { private: string; public: string; blob: Buffer } {
  for (let attempt = 0; attempt < 16; attempt++) {
    const pair = utils.generateKeyPairSync('ed25519');
    const parsed = utils.parseKey(pair.public);
    if (!(parsed instanceof Error) && !(utils.parseKey(pair.private) instanceof Error))
      return { private: pair.private, public: pair.public, blob: parsed.getPublicSSH() };
  }
  throw new Error('could not generate a readable ed25519 key in 16 attempts');
}

function directive(script: string, name: string): string | undefined {
  const match = new RegExp(`^#test ${name}(?:=(.*))?$`, 'm').exec(script);
  return match ? (match[1] ?? '') : undefined;
}

export async function startTestSshServer(options: TestSshServerOptions = {}): Promise<TestSshServer> {
  const user = options.user ?? 'administrator';
  const password = options.password ?? 'secret';
  const maxSessions = options.maxSessions ?? 10;
  const hostKey = options.hostKey ?? generateKey().private;
  const parsedHostKey = utils.parseKey(hostKey);
  if (parsedHostKey instanceof Error) throw parsedHostKey;
  const hostKeyBlob = parsedHostKey.getPublicSSH();
  const clientKey = options.clientPublicKey ? utils.parseKey(options.clientPublicKey) : undefined;
  if (clientKey instanceof Error) throw clientKey;

  let connections = 0;
  let openSessions = 0;
  let maxOpenSessions = 0;
  let refusedSessions = 0;
  const events: string[] = [];
  const scripts: string[] = [];
  const files = new Map<string, Buffer>();
  const folders = new Set<string>(['/C:', '/C:/Windows', '/C:/Windows/Temp']);
  const execListeners: ((command: string) => void)[] = [];
  const clients = new Set<Connection>();
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, fn: () => void): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };

  const runScript = (client: Connection, command: string, stream: ServerChannel, stdin?: string): void => {
    const found = scriptFromCommand(command, stdin);
    if ('error' in found || 'refused' in found) {
      stream.stderr.write(('error' in found ? found.error : found.refused) + '\n');
      stream.exit(1);
      stream.end();
      return;
    }
    const script = found.script;
    scripts.push(script);
    const finish = (code: number): void => {
      const filler = Number(directive(script, 'bytes') ?? 0);
      for (let written = 0; written < filler; written += 100) stream.write('x'.repeat(99) + '\n');
      const stderr = directive(script, 'stderr');
      if (stderr !== undefined) stream.stderr.write(stderr + '\n');
      stream.write(`HEADER ${script.split(/\r?\n/)[0] ?? ''}\n__RC__=${code}\n`);
      stream.exit(code);
      stream.end();
    };
    if (directive(script, 'hang') !== undefined) return;
    if (directive(script, 'drop') !== undefined) {
      stream.write('partial output\n');
      later(20, () => (client as unknown as { _sock: { destroy(): void } })._sock.destroy());
      return;
    }
    // `#test steps=N,MS`: N step markers, one every MS ms (a batch whose steps take a while), then exit 0.
    const steps = directive(script, 'steps');
    if (steps !== undefined) {
      const [count = 0, every = 0] = steps.split(',').map(Number);
      const tick = (i: number): void => {
        if (i >= count) return finish(0);
        stream.write(`__STEP__=s/h/${i}\n`);
        later(every, () => tick(i + 1));
      };
      tick(0);
      return;
    }
    const gate = directive(script, 'gate');
    if (gate !== undefined) {
      const deadline = Date.now() + 5000;
      const poll = (): void => {
        if (maxOpenSessions >= Number(gate) || Date.now() > deadline) finish(0);
        else later(10, poll);
      };
      poll();
      return;
    }
    finish(Number(directive(script, 'exit') ?? 0));
  };

  const serveSftp = (sftp: ssh2.SFTPWrapper): void => {
    const handles = new Map<number, { path: string; chunks: Buffer[] }>();
    let nextHandle = 1;
    const dirAttrs = { mode: 0o40755, uid: 0, gid: 0, size: 0, atime: 0, mtime: 0 };
    // Like a real server, answer the client's close so its channel (and MaxSessions slot) is freed.
    sftp.on('end', () => sftp.end());
    sftp.on('MKDIR', (id, path) => {
      const parent = path.slice(0, path.lastIndexOf('/'));
      if (folders.has(path) || !folders.has(parent)) return sftp.status(id, STATUS_CODE.FAILURE);
      folders.add(path);
      events.push(`mkdir ${path}`);
      sftp.status(id, STATUS_CODE.OK);
    });
    const statPath = (id: number, path: string): void => {
      if (folders.has(path)) return void sftp.attrs(id, dirAttrs);
      const file = files.get(path);
      if (file) return void sftp.attrs(id, { ...dirAttrs, mode: 0o100644, size: file.length });
      sftp.status(id, STATUS_CODE.NO_SUCH_FILE);
    };
    sftp.on('STAT', statPath);
    sftp.on('LSTAT', statPath);
    sftp.on('OPEN', (id, path) => {
      const parent = path.slice(0, path.lastIndexOf('/'));
      if (!folders.has(parent)) return sftp.status(id, STATUS_CODE.NO_SUCH_FILE);
      const handle = nextHandle++;
      handles.set(handle, { path, chunks: [] });
      const buffer = Buffer.alloc(4);
      buffer.writeUInt32BE(handle);
      sftp.handle(id, buffer);
    });
    sftp.on('WRITE', (id, handle, offset, data) => {
      const open = handles.get(handle.readUInt32BE(0));
      if (!open) return sftp.status(id, STATUS_CODE.FAILURE);
      if (options.stallWrites?.test(open.path)) return;
      open.chunks.push(Buffer.from(data));
      sftp.status(id, STATUS_CODE.OK);
    });
    sftp.on('FSTAT', (id, handle) => {
      const open = handles.get(handle.readUInt32BE(0));
      sftp.attrs(id, { ...dirAttrs, mode: 0o100644, size: open ? Buffer.concat(open.chunks).length : 0 });
    });
    sftp.on('FSETSTAT', (id) => sftp.status(id, STATUS_CODE.OK));
    sftp.on('SETSTAT', (id) => sftp.status(id, STATUS_CODE.OK));
    sftp.on('CLOSE', (id, handle) => {
      const open = handles.get(handle.readUInt32BE(0));
      if (open) {
        handles.delete(handle.readUInt32BE(0));
        files.set(open.path, Buffer.concat(open.chunks));
        events.push(`write ${open.path}`);
      }
      sftp.status(id, STATUS_CODE.OK);
    });
  };

  const server = new Server({ hostKeys: [hostKey] }, (client) => {
    connections++;
    clients.add(client);
    (client as unknown as { _sock?: { setNoDelay?(on: boolean): void } })._sock?.setNoDelay?.(true);
    client.setMaxListeners(0);
    client.on('error', () => undefined);
    client.on('close', () => clients.delete(client));
    client.on('authentication', (ctx) => {
      if (ctx.username !== user) return ctx.reject();
      if (ctx.method === 'password' && ctx.password === password) return ctx.accept();
      if (ctx.method === 'publickey' && clientKey && ctx.key.data.equals(clientKey.getPublicSSH())) {
        if (!ctx.signature || !ctx.blob) return ctx.accept();
        if (clientKey.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true) return ctx.accept();
      }
      ctx.reject(['password', 'publickey']);
    });
    client.on('ready', () => {
      client.on('session', (accept, reject) => {
        if (openSessions >= maxSessions) {
          refusedSessions++;
          return reject();
        }
        openSessions++;
        maxOpenSessions = Math.max(maxOpenSessions, openSessions);
        const session = accept();
        let closed = false;
        const onClose = (): void => {
          if (closed) return;
          closed = true;
          openSessions--;
        };
        session.on('close', onClose);
        client.on('close', onClose);
        session.on('exec', (acceptExec, _reject, info) => {
          const stream = acceptExec();
          events.push(`exec ${info.command}`);
          stream.on('close', () => events.push('exec-closed'));
          for (const listener of execListeners) listener(info.command);
          if (!isStdinBootstrap(info.command)) {
            // Consume stdin so the channel can emit 'close' once the client closes it.
            stream.resume();
            runScript(client, info.command, stream);
            return;
          }
          // The stdin bootstrap reads standard input to EOF before the script runs.
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.once('end', () => {
            const stdin = Buffer.concat(chunks).toString('latin1');
            events.push(`stdin ${stdin.length}`);
            if (!stream.writable) return; // closed by the client, not ended
            runScript(client, info.command, stream, stdin);
          });
        });
        session.on('sftp', (acceptSftp) => {
          events.push('sftp');
          serveSftp(acceptSftp());
        });
      });
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    hostKeyBlob,
    fingerprint: fingerprintOfBlob(hostKeyBlob),
    get connections() {
      return connections;
    },
    get openSessions() {
      return openSessions;
    },
    get maxOpenSessions() {
      return maxOpenSessions;
    },
    get refusedSessions() {
      return refusedSessions;
    },
    events,
    scripts,
    files,
    onExec(listener) {
      execListeners.push(listener);
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      for (const client of clients) client.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Polls `predicate` every 10 ms, failing after `timeoutMs` (bounded waits only). */
export async function waitFor(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
