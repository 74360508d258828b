/**
 * Host key policy: decides, during the SSH handshake, whether the key a host presents is the
 * key we expect. Order: the inventory's pinned `hostKey`, then the run's known_hosts file;
 * a changed key is always refused, an unknown one is recorded only when the operator said
 * `--accept-new-host-keys` (OpenSSH's `accept-new`).
 */

import { DeployError } from '../errors.js';
import type { HostSpec } from '../inventory/types.js';
import {
  appendKnownHost,
  fingerprintOf,
  readKnownHosts,
  readRevokedKeys,
  toKnownHostsName,
} from './known-hosts.js';

export { fingerprintOf } from './known-hosts.js';

export type HostKeyVerdict = { ok: true } | { ok: false; error: DeployError };

/** Called from the SSH client's host verifier with the raw public key blob. */
export interface HostKeyPolicy {
  verify(host: HostSpec, keyBlob: Buffer): HostKeyVerdict;
}

export interface HostKeyPolicyOptions {
  /** The state directory's `known_hosts` file (created on the first recorded key). */
  knownHostsFile: string;
  /** Record keys of hosts not yet known (never replaces a known key). */
  acceptNew: boolean;
  /** A pin from elsewhere (e.g. a saved plan) for hosts the inventory does not pin. */
  pinned?: (host: HostSpec) => string | undefined;
}

/** Accepts `SHA256:abc=` and `abc` alike, so a pasted fingerprint compares as ssh-keygen prints it. */
export function normalizeFingerprint(value: string): string {
  const trimmed = value.trim().replace(/=+$/, '');
  return trimmed.startsWith('SHA256:') ? trimmed : `SHA256:${trimmed}`;
}

function where(host: HostSpec): string {
  return `${host.name} (${host.address}:${host.port})`;
}

function mismatch(host: HostSpec, expected: string, actual: string, source: string): DeployError {
  return new DeployError(
    'remote',
    `host key of ${where(host)} does not match ${source}: expected ${expected}, the host presented ${actual}`,
    {
      code: 'HOST_KEY_MISMATCH',
      hint:
        'If the host was rebuilt, confirm its new fingerprint on the host itself (ssh-keygen -lf) and update ' +
        `hostKey for ${host.name}; otherwise do not connect: something may be intercepting the connection.`,
    },
  );
}

/**
 * The policy for real runs.
 *
 * @example
 * const policy = createHostKeyPolicy({ knownHostsFile: join(stateDir, 'known_hosts'), acceptNew: flags.acceptNewHostKeys });
 */
export function createHostKeyPolicy(options: HostKeyPolicyOptions): HostKeyPolicy {
  const { knownHostsFile, acceptNew } = options;
  return {
    verify(host, keyBlob) {
      try {
        return check(host, keyBlob);
      } catch (error) {
        // A known_hosts that is a symbolic link (file-trust.ts): refused, with its own message.
        if (error instanceof DeployError) return { ok: false, error };
        throw error;
      }
    },
  };

  function check(host: HostSpec, keyBlob: Buffer): HostKeyVerdict {
    const presented = fingerprintOf(keyBlob);
    const name = toKnownHostsName(host.address, host.port);
    const revoked = readRevokedKeys(knownHostsFile, name).find((entry) => entry.key.equals(keyBlob));
    if (revoked) {
      return {
        ok: false,
        error: new DeployError(
          'remote',
          `host key of ${where(host)} is REVOKED: ${knownHostsFile} line ${revoked.line} marks ${presented} @revoked`,
          {
            code: 'HOST_KEY_REVOKED',
            hint:
              'Do not connect with this key. Give the host a new key and confirm its fingerprint on the host itself ' +
              '(ssh-keygen -lf); a revoked key is refused even with --accept-new-host-keys or a matching hostKey pin.',
          },
        ),
      };
    }
    const pin = host.hostKey ?? options.pinned?.(host);
    if (pin !== undefined) {
      const expected = normalizeFingerprint(pin);
      return expected === presented
        ? { ok: true }
        : { ok: false, error: mismatch(host, expected, presented, 'the pinned hostKey') };
    }
    const entries = readKnownHosts(knownHostsFile, name);
    if (entries.some((entry) => entry.key.equals(keyBlob))) return { ok: true };
    if (entries.length > 0) {
      const known = entries.map(
        (entry) => `line ${entry.line}: ${entry.keyType} ${fingerprintOf(entry.key)}`,
      );
      const lines = entries.map((entry) => entry.line).join(', ');
      return {
        ok: false,
        error: new DeployError(
          'remote',
          `host key of ${where(host)} has CHANGED: ${knownHostsFile} has ${known.join('; ')}, ` +
            `the host presented ${presented}`,
          {
            code: 'HOST_KEY_CHANGED',
            hint:
              `If the host was rebuilt, confirm the new fingerprint ${presented} on the host itself, then remove ` +
              `line ${lines} of ${knownHostsFile} (or pin hostKey for ${host.name} in the inventory). Otherwise do ` +
              'not connect: something may be intercepting the connection. --accept-new-host-keys never replaces a known key.',
          },
        ),
      };
    }
    if (acceptNew) {
      appendKnownHost(knownHostsFile, name, keyBlob);
      return { ok: true };
    }
    return {
      ok: false,
      error: new DeployError(
        'remote',
        `host key of ${where(host)} is unknown: the host presented ${presented} and ${knownHostsFile} has no entry for ${name}`,
        {
          code: 'HOST_KEY_UNKNOWN',
          hint:
            `Confirm ${presented} on the host itself, then pin it as hostKey: "${presented}" for ${host.name} in the ` +
            'inventory, or pass --accept-new-host-keys to record it on first contact.',
        },
      ),
    };
  }
}

/**
 * Trusts exactly the given fingerprints, by host name: for `--lab`, where the in-process
 * simulated estate tells us its keys, so nothing is written to known_hosts.
 */
export function trustExactly(fingerprints: Record<string, string>): HostKeyPolicy {
  return {
    verify(host, keyBlob) {
      const presented = fingerprintOf(keyBlob);
      const expected = fingerprints[host.name];
      if (expected === undefined) {
        return {
          ok: false,
          error: new DeployError(
            'remote',
            `host key of ${where(host)} is unknown: the lab declared no key for ${host.name}`,
            {
              code: 'HOST_KEY_UNKNOWN',
              hint: 'The lab estate and the inventory disagree about host names; restart the lab for this inventory.',
            },
          ),
        };
      }
      const normalized = normalizeFingerprint(expected);
      return normalized === presented
        ? { ok: true }
        : { ok: false, error: mismatch(host, normalized, presented, "the lab's key") };
    },
  };
}
