/**
 * Everything about opening an SSH connection that does not need the SSH library itself: the
 * algorithm policy, credentials from the inventory's auth spec, the TCP socket, and turning
 * connection failures into {@link DeployError}s that say whether a retry can help.
 */

import { connect as netConnect, type Socket } from 'node:net';
import { homedir } from 'node:os';
import type { Algorithms } from 'ssh2';
import { DeployError, isDeployError } from '../errors.js';
import type { HostSpec } from '../inventory/types.js';
import { checkKeyFile } from './file-trust.js';

/**
 * Modern algorithms only. No `ssh-rsa` (SHA-1 signatures) or `ssh-dss` host keys, no SHA-1 key
 * exchange or MACs, no CBC ciphers. Win32-OpenSSH 7.7+ and any supported Windows Server offer these.
 */
export const ALGORITHMS: Algorithms = {
  serverHostKey: [
    'ssh-ed25519',
    'ecdsa-sha2-nistp256',
    'ecdsa-sha2-nistp384',
    'ecdsa-sha2-nistp521',
    'rsa-sha2-512',
    'rsa-sha2-256',
  ],
  kex: [
    'curve25519-sha256',
    'curve25519-sha256@libssh.org',
    'ecdh-sha2-nistp256',
    'ecdh-sha2-nistp384',
    'ecdh-sha2-nistp521',
    'diffie-hellman-group-exchange-sha256',
    'diffie-hellman-group16-sha512',
    'diffie-hellman-group18-sha512',
    'diffie-hellman-group14-sha256',
  ],
  cipher: [
    'chacha20-poly1305@openssh.com',
    'aes256-gcm@openssh.com',
    'aes128-gcm@openssh.com',
    'aes256-ctr',
    'aes192-ctr',
    'aes128-ctr',
  ],
  hmac: ['hmac-sha2-256-etm@openssh.com', 'hmac-sha2-512-etm@openssh.com', 'hmac-sha2-256', 'hmac-sha2-512'],
  compress: ['none'],
};

/** The credential part of the client config (exactly one of these is set). */
export interface SshCredentials {
  password?: string;
  privateKeyPath?: string;
  agent?: string;
}

function authError(host: HostSpec, message: string, hint: string): DeployError {
  return new DeployError(
    'remote',
    `cannot authenticate to ${host.name} (${host.address}:${host.port}): ${message}`,
    {
      code: 'SSH_AUTH',
      hint,
      retryable: false,
    },
  );
}

/** Resolves the inventory's auth spec; the password itself arrives already read from its variable. */
export function toCredentials(host: HostSpec, password: string | undefined): SshCredentials {
  const auth = host.auth;
  if ('passwordEnv' in auth) {
    if (password === undefined || password === '') {
      throw authError(host, `no password given`, `Set the environment variable ${auth.passwordEnv}.`);
    }
    return { password };
  }
  if ('keyFile' in auth) {
    const path = auth.keyFile.replace(/^~(?=$|[\\/])/, homedir());
    checkKeyFile(path, host.name);
    return { privateKeyPath: path };
  }
  const agent =
    process.env.SSH_AUTH_SOCK ??
    (process.platform === 'win32' ? '\\\\.\\pipe\\openssh-ssh-agent' : undefined);
  if (agent === undefined || agent === '') {
    throw authError(
      host,
      'auth is agent but SSH_AUTH_SOCK is not set',
      'Start ssh-agent and add the key, or use keyFile.',
    );
  }
  return { agent };
}

/** The key file a keyFile spec names, with `~` expanded (for messages). */
export function keyFileOf(host: HostSpec): string | undefined {
  return 'keyFile' in host.auth ? host.auth.keyFile.replace(/^~(?=$|[\\/])/, homedir()) : undefined;
}

/**
 * Opens the TCP connection ourselves so Nagle is off from the first packet (~40 ms saved per
 * command, see ssh-measurements.md) and a refused or silent port fails fast with its own code.
 */
export function openSocket(address: string, port: number, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ host: address, port, noDelay: true });
    // Later socket errors are reported by the SSH client; this keeps an early one from crashing us.
    socket.on('error', () => undefined);
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error(`TCP connect timed out after ${timeoutMs} ms`), { code: 'ETIMEDOUT' }));
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

const TRANSIENT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
]);
const TRANSIENT_MESSAGES =
  /timed out while waiting for handshake|connection lost before handshake|no response from server|socket hang up/i;

/** Classifies a failure to connect (TCP, handshake or authentication). */
export function toConnectError(host: HostSpec, error: unknown): DeployError {
  if (isDeployError(error)) return error;
  const err = error as { message?: string; code?: unknown; level?: unknown };
  const message = err.message ?? String(error);
  const code = typeof err.code === 'string' ? err.code : undefined;
  const target = `${host.name} (${host.address}:${host.port})`;
  if (err.level === 'client-authentication') {
    return authError(
      host,
      `the server refused ${host.user}'s credentials (${message})`,
      'Check the user, the password variable or key, and that the account may log on over SSH.',
    );
  }
  if (/privateKeyPath|private key|passphrase/i.test(message)) {
    return authError(
      host,
      message,
      `Check the key file ${keyFileOf(host) ?? ''} (it must exist, be readable and unencrypted).`,
    );
  }
  if ((code !== undefined && TRANSIENT_CODES.has(code)) || TRANSIENT_MESSAGES.test(message)) {
    return new DeployError('remote', `cannot connect to ${target}: ${message}`, {
      code: 'SSH_CONNECT',
      retryable: true,
      hint: 'Check that the host is up and its OpenSSH server is running and reachable on that port.',
      cause: error,
    });
  }
  return new DeployError('remote', `cannot connect to ${target}: ${message}`, {
    code: 'SSH_CONNECT',
    retryable: false,
    hint: /handshake|algorithm|no matching/i.test(message)
      ? "The server offers no algorithm this tool accepts (it refuses ssh-rsa/SHA-1 and ssh-dss); update the host's OpenSSH server."
      : 'Check the address and port in the inventory.',
    cause: error,
  });
}

/** A failure to open a channel or deliver a script on an established connection. */
export function toChannelError(host: HostSpec, error: unknown, what: string): DeployError {
  if (isDeployError(error)) return error;
  const message = (error as { message?: string }).message ?? String(error);
  return new DeployError(
    'remote',
    `${what} on ${host.name} (${host.address}:${host.port}) failed: ${message}`,
    {
      code: 'SSH_CHANNEL',
      retryable: true,
      hint: "The connection is up but the server refused the request; check the server's MaxSessions and SFTP subsystem.",
      cause: error,
    },
  );
}
