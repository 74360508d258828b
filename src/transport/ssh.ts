/**
 * The SSH transport: the only module that imports node-ssh. One connection per host, opened on
 * first use and reused for every command (per-command handshakes are what make Ansible slow),
 * with at most `maxChannels` channels open at once because OpenSSH's MaxSessions refuses more.
 */

import { stat } from 'node:fs/promises';
import { NodeSSH } from 'node-ssh';
import type { ClientChannel, SFTPWrapper } from 'ssh2';
import type { HostSpec } from '../inventory/types.js';
import { planDelivery, toSftpPath, type Delivery } from '../remote/deliver.js';
import type { TransportLog } from './events.js';
import type { HostKeyPolicy } from './host-keys.js';
import { createSemaphore } from './semaphore.js';
import { endSftp, makeDirectories, parentOf, writeFile } from './sftp-ops.js';
import { ALGORITHMS, openSocket, toChannelError, toConnectError, toCredentials } from './ssh-config.js';
import { createTailBuffer } from './tail-buffer.js';
import { DeployError } from '../errors.js';
import type { RawResult, RunOptions, Transport } from './types.js';

export interface SshTransportOptions {
  host: HostSpec;
  /** The password, already read from the variable `auth.passwordEnv` names. Never logged. */
  password?: string;
  hostKeys: HostKeyPolicy;
  /** TCP connect and SSH handshake deadline, each (default 20 s, ssh2's own default). */
  connectTimeoutMs?: number;
  /** SSH keepalive interval; three unanswered keepalives end a dead connection (default 15 s). */
  keepaliveIntervalMs?: number;
  /** Concurrent channels (commands and SFTP sessions) per connection (default 10, OpenSSH's MaxSessions). */
  maxChannels?: number;
  log?: TransportLog;
}

/** How long a closed channel may take to be confirmed before its slot is reused anyway. */
const CHANNEL_CLOSE_GRACE_MS = 5000;

interface Connection {
  ssh: NodeSSH;
  closed: boolean;
  closing: boolean;
  /** SFTP folders already made on this connection. */
  folders: Set<string>;
  whenClosed: Promise<void>;
}

type Stop = 'timeout' | 'abort';

/** Resolves with `undefined` when `signal` aborts first (the work itself carries on). */
function unlessAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T | undefined> {
  if (!signal) return work;
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.resolve(undefined);
  }
  return new Promise((resolve, reject) => {
    const onAbort = (): void => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    work.finally(() => signal.removeEventListener('abort', onAbort)).then(resolve, reject);
  });
}

/**
 * Creates the transport for one host. Connection failures are thrown as {@link DeployError}s
 * (`SSH_CONNECT` retryable, `SSH_AUTH` and `HOST_KEY_*` not); a command's own failure, timeout,
 * cancellation or a connection dropped under it is a {@link RawResult}, never an exception.
 */
export function createSshTransport(options: SshTransportOptions): Transport {
  const { host, hostKeys } = options;
  const log = options.log ?? (() => undefined);
  const connectTimeoutMs = options.connectTimeoutMs ?? 20_000;
  const slots = createSemaphore(options.maxChannels ?? 10);
  let current: Connection | undefined;
  let connecting: Promise<Connection> | undefined;
  const endpoint = { host: host.name, address: host.address, port: host.port };

  async function openConnection(): Promise<Connection> {
    const started = Date.now();
    log({ type: 'connect', ...endpoint });
    const ssh = new NodeSSH();
    let hostKeyError: DeployError | undefined;
    let socket: Awaited<ReturnType<typeof openSocket>> | undefined;
    try {
      const credentials = toCredentials(host, options.password);
      socket = await openSocket(host.address, host.port, connectTimeoutMs);
      await ssh.connect({
        sock: socket,
        username: host.user,
        ...credentials,
        readyTimeout: connectTimeoutMs,
        keepaliveInterval: options.keepaliveIntervalMs ?? 15_000,
        keepaliveCountMax: 3,
        algorithms: ALGORITHMS,
        hostVerifier: (key: Buffer) => {
          const verdict = hostKeys.verify(host, key);
          if (!verdict.ok) hostKeyError = verdict.error;
          return verdict.ok;
        },
      });
    } catch (error) {
      socket?.destroy();
      const failure = hostKeyError ?? toConnectError(host, error);
      log({ type: 'connectFailed', ...endpoint, code: failure.code, message: failure.message });
      throw failure;
    }
    const client = ssh.connection;
    if (!client) throw toConnectError(host, new Error('connection closed right after the handshake'));
    let markClosed = (): void => undefined;
    const connection: Connection = {
      ssh,
      closed: false,
      closing: false,
      folders: new Set(),
      whenClosed: new Promise((resolve) => (markClosed = resolve)),
    };
    const onGone = (): void => {
      if (connection.closed) return;
      connection.closed = true;
      if (current === connection) current = undefined;
      log({ type: 'disconnected', host: host.name, reason: connection.closing ? 'closed' : 'dropped' });
      markClosed();
    };
    // node-ssh adds an 'error' listener per command being opened; up to maxChannels at once is expected.
    client.setMaxListeners((options.maxChannels ?? 10) * 2 + 10);
    // After the handshake an error is always followed by 'close'; commands see it as a drop.
    client.on('error', () => undefined);
    client.on('end', onGone);
    client.on('close', onGone);
    current = connection;
    log({ type: 'connected', ...endpoint, durationMs: Date.now() - started });
    return connection;
  }

  function ensureConnected(): Promise<Connection> {
    if (current && !current.closed) return Promise.resolve(current);
    connecting ??= openConnection().finally(() => {
      connecting = undefined;
    });
    return connecting;
  }

  /**
   * Runs `work` on a connection, reconnecting once if the connection turns out to be dead before
   * the work could start (a channel that never opened means the command never ran).
   */
  async function withConnection<T>(
    signal: AbortSignal | undefined,
    work: (connection: Connection) => Promise<T>,
    what: string,
  ): Promise<T | undefined> {
    for (let attempt = 0; ; attempt++) {
      const connection = await unlessAborted(ensureConnected(), signal);
      if (!connection) return undefined;
      try {
        return await work(connection);
      } catch (error) {
        if (attempt === 0 && connection.closed && !(error instanceof DeployError)) continue;
        throw toChannelError(host, error, what);
      }
    }
  }

  async function uploadScript(
    connection: Connection,
    delivery: Extract<Delivery, { kind: 'file' }>,
    onSftp: (sftp: SFTPWrapper) => void,
  ): Promise<void> {
    const started = Date.now();
    const path = toSftpPath(delivery.remotePath);
    const data = Buffer.from(delivery.content, 'utf8');
    const sftp = await connection.ssh.requestSFTP();
    onSftp(sftp);
    try {
      const folder = parentOf(path);
      if (!connection.folders.has(folder)) {
        await makeDirectories(sftp, folder);
        connection.folders.add(folder);
      }
      await writeFile(sftp, path, data);
    } finally {
      await endSftp(sftp, CHANNEL_CLOSE_GRACE_MS);
    }
    log({ type: 'upload', host: host.name, path: delivery.remotePath, bytes: data.length, durationMs: Date.now() - started });
  }

  /** One command on one connection; resolves when it ends or is stopped, plus when its slot is free. */
  async function execute(
    connection: Connection,
    delivery: Delivery,
    runOptions: RunOptions,
    holdSlot: (until: Promise<unknown>) => void,
  ): Promise<Omit<RawResult, 'durationMs'>> {
    const stdout = createTailBuffer();
    const stderr = createTailBuffer();
    let channel: ClientChannel | undefined;
    let sftp: SFTPWrapper | undefined;
    let stopped: Stop | undefined;
    let onStop = (): void => undefined;
    const whenStopped = new Promise<void>((resolve) => (onStop = resolve));
    const stop = (why: Stop): void => {
      if (stopped) return;
      stopped = why;
      channel?.close();
      sftp?.end();
      onStop();
    };
    const timer = setTimeout(() => stop('timeout'), runOptions.timeoutMs);
    const onAbort = (): void => stop('abort');
    runOptions.signal?.addEventListener('abort', onAbort, { once: true });

    const work = (async () => {
      if (delivery.kind === 'file') {
        await uploadScript(connection, delivery, (session) => (sftp = session));
        if (stopped) return undefined;
      }
      log({ type: 'exec', host: host.name, scriptName: runOptions.scriptName, delivery: delivery.kind, commandLength: delivery.command.length });
      return connection.ssh.execCommand(delivery.command, {
        onChannel: (opened) => {
          channel = opened;
          if (stopped) opened.close();
        },
        onStdout: (chunk) => stdout.push(chunk),
        onStderr: (chunk) => stderr.push(chunk),
      });
    })();
    // The slot stays taken until the server confirms the channel closed (bounded), even when a
    // timeout lets the caller go on earlier.
    holdSlot(
      Promise.race([
        work.catch(() => undefined),
        whenStopped.then(() => new Promise((resolve) => setTimeout(resolve, CHANNEL_CLOSE_GRACE_MS).unref())),
      ]),
    );
    try {
      const outcome = await Promise.race([work, whenStopped.then(() => 'stopped' as const)]);
      const truncatedBytes = stdout.droppedBytes + stderr.droppedBytes;
      const output = { stdout: stdout.text(), stderr: stderr.text(), ...(truncatedBytes > 0 ? { truncatedBytes } : {}) };
      if (outcome === 'stopped' || outcome === undefined || stopped) {
        work.catch(() => undefined);
        return { exitCode: undefined, ...output, timedOut: stopped === 'timeout', cancelled: stopped === 'abort', dropped: false };
      }
      const exited = outcome.code !== null;
      return {
        exitCode: outcome.code ?? undefined,
        ...output,
        timedOut: false,
        cancelled: false,
        // No exit status and the connection is gone: the command may or may not have finished.
        dropped: !exited && outcome.signal === null && connection.closed,
      };
    } finally {
      clearTimeout(timer);
      runOptions.signal?.removeEventListener('abort', onAbort);
    }
  }

  const cancelledResult = (started: number): RawResult => ({
    exitCode: undefined,
    stdout: '',
    stderr: '',
    durationMs: Date.now() - started,
    timedOut: false,
    cancelled: true,
    dropped: false,
  });

  return {
    host: host.name,

    async connect() {
      await ensureConnected();
    },

    async run(script, runOptions) {
      const started = Date.now();
      const delivery = planDelivery(script, runOptions.scriptName);
      const release = await slots.acquire(runOptions.signal).catch(() => undefined);
      if (!release) return cancelledResult(started);
      let slotUntil: Promise<unknown> = Promise.resolve();
      try {
        const result = await withConnection(
          runOptions.signal,
          (connection) =>
            execute(connection, delivery, runOptions, (until) => {
              slotUntil = until;
            }),
          `running ${runOptions.scriptName}`,
        );
        const raw: RawResult = result ? { ...result, durationMs: Date.now() - started } : cancelledResult(started);
        log({
          type: 'execEnd',
          host: host.name,
          scriptName: runOptions.scriptName,
          exitCode: raw.exitCode,
          durationMs: raw.durationMs,
          timedOut: raw.timedOut,
          cancelled: raw.cancelled,
          dropped: raw.dropped,
          truncatedBytes: raw.truncatedBytes ?? 0,
        });
        return raw;
      } finally {
        void slotUntil.then(release, release);
      }
    },

    async upload(localPath, windowsPath, uploadOptions) {
      const started = Date.now();
      const path = toSftpPath(windowsPath);
      const size = await stat(localPath).then(
        (stats) => stats.size,
        () => {
          throw new DeployError('badInput', `cannot upload ${localPath} to ${host.name}: the file does not exist or is unreadable`, {
            code: 'UPLOAD_SOURCE_MISSING',
            hint: 'Check the package folder the inventory names.',
          });
        },
      );
      const release = await slots.acquire(uploadOptions.signal).catch(() => undefined);
      const cancelled = (): DeployError =>
        new DeployError('remote', `upload of ${localPath} to ${host.name} was cancelled`, { code: 'CANCELLED', cause: uploadOptions.signal?.reason });
      if (!release) throw cancelled();
      let slotUntil: Promise<unknown> = Promise.resolve();
      try {
        const done = await withConnection(
          uploadOptions.signal,
          async (connection) => {
            const sftp = await connection.ssh.requestSFTP();
            const transfer = (async () => {
              await makeDirectories(sftp, parentOf(path));
              await connection.ssh.putFile(localPath, path, sftp);
            })();
            const ended = transfer.finally(() => endSftp(sftp, CHANNEL_CLOSE_GRACE_MS));
            slotUntil = ended.catch(() => undefined);
            let timer: NodeJS.Timeout | undefined;
            const deadline = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), uploadOptions.timeoutMs)));
            const outcome = await Promise.race([ended.then(() => 'done' as const), deadline, unlessAborted(deadline, uploadOptions.signal)]);
            clearTimeout(timer);
            if (outcome === 'done') return true;
            sftp.end();
            if (outcome === undefined) throw cancelled();
            throw new DeployError('remote', `upload of ${localPath} to ${host.name} as ${windowsPath} timed out after ${uploadOptions.timeoutMs} ms`, {
              code: 'UPLOAD_TIMEOUT',
              retryable: true,
              hint: 'Raise the upload timeout for large files or check the network to the host.',
            });
          },
          `uploading ${windowsPath}`,
        );
        if (!done) throw cancelled();
        log({ type: 'upload', host: host.name, path: windowsPath, bytes: size, durationMs: Date.now() - started });
      } finally {
        void slotUntil.then(release, release);
      }
    },

    async close() {
      const connection = current ?? (await connecting?.catch(() => undefined));
      if (!connection || connection.closed) return;
      connection.closing = true;
      connection.ssh.dispose();
      await Promise.race([connection.whenClosed, new Promise((resolve) => setTimeout(resolve, CHANNEL_CLOSE_GRACE_MS).unref())]);
    },
  };
}
