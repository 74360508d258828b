/**
 * The SSH transport: the only module that imports node-ssh. One connection per host, opened on
 * first use and reused for every command (per-command handshakes are what make Ansible slow),
 * with at most `maxChannels` channels open at once because OpenSSH's MaxSessions refuses more.
 */

import { stat } from 'node:fs/promises';
import { NodeSSH } from 'node-ssh';
import type { HostSpec } from '../inventory/types.js';
import { planDelivery, toSftpPath } from '../remote/deliver.js';
import type { TransportLog } from './events.js';
import type { HostKeyPolicy } from './host-keys.js';
import { unlessAborted } from '../abortable.js';
import { createSemaphore } from './semaphore.js';
import { createShellPool, openPersistentShell } from './persistent-shell.js';
import { requestLength } from '../remote/persistent-shell.js';
import type { ClientChannel } from 'ssh2';
import { CHANNEL_CLOSE_GRACE_MS, executeCommand, uploadFile, type CommandContext } from './ssh-command.js';
import { createSftpSession, type SftpSession } from './sftp-session.js';
import { readTail } from './sftp-read.js';
import { ALGORITHMS, openSocket, toChannelError, toConnectError, toCredentials } from './ssh-config.js';
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
  /** How long the shared SFTP session stays open after its last upload (default SFTP_IDLE_MS). */
  sftpIdleMs?: number;
  log?: TransportLog;
}

interface Connection {
  ssh: NodeSSH;
  closed: boolean;
  closing: boolean;
  whenClosed: Promise<void>;
  /** The SFTP session uploads share, while one is open (see sftp-session.ts). */
  sftp?: SftpSession;
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
      whenClosed: new Promise((resolve) => (markClosed = resolve)),
    };
    const onGone = (): void => {
      if (connection.closed) return;
      connection.closed = true;
      if (current === connection) current = undefined;
      // Its channels went with it: the session's slot must not wait for a close that never comes.
      void connection.sftp?.end();
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

  function contextOf(connection: Connection, holdSlot: (until: Promise<unknown>) => void): CommandContext {
    return {
      session: {
        execCommand: (command, execOptions) => connection.ssh.execCommand(command, execOptions),
      },
      hostName: host.name,
      isClosed: () => connection.closed,
      log,
      holdSlot,
    };
  }

  /** The connection's shared SFTP session, opened now if it has none (or its last one ended). */
  function sftpOf(connection: Connection): SftpSession {
    if (connection.sftp && !connection.sftp.ended) return connection.sftp;
    const session = createSftpSession({
      acquireSlot: () => slots.acquire(),
      open: () => connection.ssh.requestSFTP(),
      ...(options.sftpIdleMs !== undefined ? { idleMs: options.sftpIdleMs } : {}),
      onGone: () => {
        if (connection.sftp === session) delete connection.sftp;
      },
    });
    connection.sftp = session;
    return session;
  }

  /** Opens an exec channel whose standard input stays open (node-ssh's execCommand ends it). */
  const execChannel = (connection: Connection, command: string): Promise<ClientChannel> =>
    new Promise((resolve, reject) => {
      const client = connection.ssh.connection;
      if (!client || connection.closed) return reject(new Error('the connection is closed'));
      client.exec(command, (error, channel) => (error ? reject(error) : resolve(channel)));
    });

  // `powershell: persistent`: each shell keeps a channel slot for its life; one slot is left for
  // SFTP, so uploads never wait behind idle shells.
  const shells = createShellPool(
    (signal) =>
      withConnection(
        signal,
        async (connection) => {
          const release = await slots.acquire(signal).catch(() => undefined);
          if (!release) return undefined;
          try {
            const shell = await openPersistentShell(
              (command) => execChannel(connection, command),
              () => connection.closed,
            );
            void shell.whenClosed.then(release);
            return shell;
          } catch (error) {
            release();
            throw error;
          }
        },
        'starting the persistent PowerShell',
      ),
    Math.max(1, (options.maxChannels ?? 10) - 1),
  );

  async function runOnShell(
    script: string,
    runOptions: RunOptions,
  ): Promise<Omit<RawResult, 'durationMs'> | undefined> {
    const shell = await shells.take(runOptions.signal);
    if (!shell) return undefined;
    const { scriptName } = runOptions;
    log({
      type: 'exec',
      host: host.name,
      scriptName,
      delivery: 'persistent',
      commandLength: requestLength(script),
    });
    try {
      return await shell.run(script, runOptions);
    } finally {
      shells.give(shell);
    }
  }

  async function runOnChannel(
    script: string,
    runOptions: RunOptions,
  ): Promise<Omit<RawResult, 'durationMs'> | undefined> {
    const delivery = planDelivery(script);
    const release = await slots.acquire(runOptions.signal).catch(() => undefined);
    if (!release) return undefined;
    let slotUntil: Promise<unknown> = Promise.resolve();
    try {
      return await withConnection(
        runOptions.signal,
        (connection) =>
          executeCommand(
            contextOf(connection, (until) => {
              slotUntil = until;
            }),
            delivery,
            runOptions,
          ),
        `running ${runOptions.scriptName}`,
      );
    } finally {
      void slotUntil.then(release, release);
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
      const onShell = host.powershell === 'persistent' && !runOptions.ownProcess;
      const result = await (onShell ? runOnShell : runOnChannel)(script, runOptions);
      const raw: RawResult = result
        ? { ...result, durationMs: Date.now() - started }
        : cancelledResult(started);
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
    },

    async upload(localPath, windowsPath, uploadOptions) {
      const started = Date.now();
      const path = toSftpPath(windowsPath);
      const size = await stat(localPath).then(
        (stats) => stats.size,
        () => {
          throw new DeployError(
            'badInput',
            `cannot upload ${localPath} to ${host.name}: the file does not exist or is unreadable`,
            {
              code: 'UPLOAD_SOURCE_MISSING',
              hint: 'Check the package folder the inventory names.',
            },
          );
        },
      );
      const cancelled = (): DeployError =>
        new DeployError('remote', `upload of ${localPath} to ${host.name} was cancelled`, {
          code: 'CANCELLED',
          cause: uploadOptions.signal?.reason,
        });
      if (uploadOptions.signal?.aborted) throw cancelled();
      const done = await withConnection(
        uploadOptions.signal,
        (connection) =>
          sftpOf(connection).use(async (session) => {
            const outcome = await uploadFile(
              session,
              (local, remote, sftp) => connection.ssh.putFile(local, remote, sftp),
              localPath,
              path,
              uploadOptions,
            );
            // What the transfer still has in flight is unknown: the session goes with it.
            if (outcome !== 'done') void session.end();
            if (outcome === 'cancelled') throw cancelled();
            if (outcome === 'timeout') {
              throw new DeployError(
                'remote',
                `upload of ${localPath} to ${host.name} as ${windowsPath} timed out after ${uploadOptions.timeoutMs} ms`,
                {
                  code: 'UPLOAD_TIMEOUT',
                  retryable: true,
                  hint: 'Raise the upload timeout for large files or check the network to the host.',
                },
              );
            }
            return true;
          }),
        `uploading ${windowsPath}`,
      );
      if (!done) throw cancelled();
      log({
        type: 'upload',
        host: host.name,
        path: windowsPath,
        bytes: size,
        durationMs: Date.now() - started,
      });
    },

    async download(windowsPath, readOptions) {
      const path = toSftpPath(windowsPath);
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<never>((_resolve, reject) => {
        timer = setTimeout(
          () => reject(new Error(`reading ${windowsPath} timed out`)),
          readOptions.timeoutMs,
        );
      });
      try {
        const read = await withConnection(
          readOptions.signal,
          (connection) =>
            sftpOf(connection).use(async (session) =>
              Promise.race([readTail(await session.sftp, path, readOptions.maxBytes), deadline]),
            ),
          `reading ${windowsPath}`,
        );
        return read ?? undefined;
      } finally {
        clearTimeout(timer);
      }
    },

    async close() {
      const connection = current ?? (await connecting?.catch(() => undefined));
      if (!connection || connection.closed) return;
      await Promise.all([shells.closeAll(), connection.sftp?.end()]);
      connection.closing = true;
      connection.ssh.dispose();
      await Promise.race([
        connection.whenClosed,
        new Promise((resolve) => setTimeout(resolve, CHANNEL_CLOSE_GRACE_MS).unref()),
      ]);
    },
  };
}
