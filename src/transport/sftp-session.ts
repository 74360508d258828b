/**
 * One SFTP session per connection, opened by the first upload and shared by the uploads after it,
 * at once or in turn. Opening a session costs a channel open, the subsystem request and the
 * version exchange (three round trips) and ending one a fourth; the folders an upload made are
 * remembered, so the next upload into them skips the mkdir and stat. The session holds one
 * channel slot while it is open and ends after {@link SFTP_IDLE_MS} without an upload, when a
 * transfer on it timed out or was cancelled (what it still has in flight is then unknown), or
 * with the transport.
 */
import type { SFTPWrapper } from 'ssh2';
import { CHANNEL_CLOSE_GRACE_MS } from './ssh-command.js';
import { endSftp } from './sftp-ops.js';

/** How long a session stays open after its last upload: a stage's uploads come a few round trips apart. */
export const SFTP_IDLE_MS = 2000;

export interface SftpSession {
  /** The open session; rejects when it could not be opened (the next upload tries again). */
  readonly sftp: Promise<SFTPWrapper>;
  /** SFTP folders known to exist on the host (made or found by an upload on this session). */
  readonly folders: Set<string>;
  /** True once the session ended or failed to open: take a new one. */
  readonly ended: boolean;
  /** Runs `work` as a user of the session; the idle timer starts when the last user is done. */
  use<T>(work: (session: SftpSession) => Promise<T>): Promise<T>;
  /** Ends the session now (its transfers in flight fail); resolves once its slot is free. */
  end(): Promise<void>;
}

export interface SftpSessionOptions {
  /** Takes the session's channel slot; resolves with its release. */
  acquireSlot: () => Promise<() => void>;
  open: () => Promise<SFTPWrapper>;
  idleMs?: number;
  /** Told once when the session is gone (ended, closed by the host, or never opened). */
  onGone?: () => void;
}

export function createSftpSession(options: SftpSessionOptions): SftpSession {
  const idleMs = options.idleMs ?? SFTP_IDLE_MS;
  let ended = false;
  let users = 0;
  let idle: NodeJS.Timeout | undefined;
  let closed = false;
  let ending: Promise<void> | undefined;
  let release: () => void = () => undefined;
  const gone = (): void => {
    if (ended) return;
    ended = true;
    clearTimeout(idle);
    options.onGone?.();
  };
  const sftp = (async () => {
    release = await options.acquireSlot();
    const opened = await options.open().catch((error: unknown) => {
      release();
      throw error;
    });
    opened.once('close', () => {
      closed = true;
      gone();
      release();
    });
    return opened;
  })();
  sftp.catch(() => gone());

  const session: SftpSession = {
    sftp,
    folders: new Set(),
    get ended() {
      return ended;
    },
    async use(work) {
      users++;
      clearTimeout(idle);
      try {
        return await work(session);
      } finally {
        users--;
        if (users === 0 && !ended) idle = setTimeout(() => void session.end(), idleMs).unref();
      }
    },
    end() {
      gone();
      // Once: the session's own close (or the grace after asking for it) frees the slot.
      ending ??= sftp.then(
        (opened) => (closed ? undefined : endSftp(opened, CHANNEL_CLOSE_GRACE_MS).then(release)),
        () => undefined,
      );
      return ending;
    },
  };
  return session;
}
