import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeployError } from '../../src/errors.js';
import type { AuthSpec, HostSpec } from '../../src/inventory/types.js';
import { createHostKeyPolicy, trustExactly, type HostKeyPolicy } from '../../src/transport/host-keys.js';
import { createSshTransport } from '../../src/transport/ssh.js';
import type { Transport } from '../../src/transport/types.js';
import { generateKey, startTestSshServer, type TestSshServer } from './helpers/ssh-test-server.js';

const SCRIPT = '# deploy-rollup/1 run=r step=s action=a phase=probe host=H target=\n#test exit=0';
const RUN = { timeoutMs: 20_000, scriptName: 'probe.ps1' };

function hostAt(port: number, auth: AuthSpec = { passwordEnv: 'HMC_PASSWORD' }, hostKey?: string): HostSpec {
  return {
    name: 'MPS01',
    address: '127.0.0.1',
    port,
    user: 'administrator',
    auth,
    ...(hostKey === undefined ? {} : { hostKey }),
    transport: 'ssh',
    roles: ['mps'],
  };
}

async function connectError(transport: Transport): Promise<DeployError> {
  try {
    await transport.connect();
  } catch (error) {
    return error as DeployError;
  } finally {
    await transport.close();
  }
  throw new Error('connect succeeded');
}

let server: TestSshServer;
let dir: string;
const clientKey = generateKey();

beforeAll(async () => {
  server = await startTestSshServer({ clientPublicKey: clientKey.public });
});
afterAll(async () => {
  await server.close();
});
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  dir = mkdtempSync(join(tmpdir(), 'dr-ssh-'));
  return dir;
}

/** `null` = no password given at all. */
function transportWith(
  host: HostSpec,
  hostKeys: HostKeyPolicy,
  password: string | null = 'secret',
): Transport {
  return createSshTransport({
    host,
    hostKeys,
    connectTimeoutMs: 5000,
    ...(password === null ? {} : { password }),
  });
}

describe('SSH connection failures', () => {
  test('a wrong password is an SSH_AUTH error that is not retryable', async () => {
    const error = await connectError(
      transportWith(hostAt(server.port), trustExactly({ MPS01: server.fingerprint }), 'wrong'),
    );
    expect(error).toMatchObject({ kind: 'remote', code: 'SSH_AUTH', retryable: false });
    expect(error.message).not.toContain('wrong');
  });

  test('a missing password names the variable to set', async () => {
    const error = await connectError(
      transportWith(hostAt(server.port), trustExactly({ MPS01: server.fingerprint }), null),
    );
    expect(error).toMatchObject({ code: 'SSH_AUTH', retryable: false });
    expect(error.hint).toContain('HMC_PASSWORD');
  });

  test('a refused port is an SSH_CONNECT error that is retryable', async () => {
    const listener = createServer();
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    const port = (listener.address() as AddressInfo).port;
    await new Promise((resolve) => listener.close(resolve));

    const error = await connectError(transportWith(hostAt(port), trustExactly({ MPS01: 'SHA256:x' })));
    expect(error).toMatchObject({ kind: 'remote', code: 'SSH_CONNECT', retryable: true });
    expect(error.message).toContain('ECONNREFUSED');
  });

  test('a run whose host went away throws a retryable SSH_CONNECT error', async () => {
    const own = await startTestSshServer();
    const transport = transportWith(hostAt(own.port), trustExactly({ MPS01: own.fingerprint }));
    try {
      expect((await transport.run(SCRIPT, RUN)).exitCode).toBe(0);
      await own.close();
      await expect(transport.run(SCRIPT, RUN)).rejects.toMatchObject({
        code: 'SSH_CONNECT',
        retryable: true,
      });
    } finally {
      await transport.close();
    }
  });

  test('a key file authenticates', async () => {
    const keyFile = join(tempDir(), 'id_ed25519');
    writeFileSync(keyFile, clientKey.private, { mode: 0o600 });
    const transport = transportWith(
      hostAt(server.port, { keyFile }),
      trustExactly({ MPS01: server.fingerprint }),
      null,
    );
    try {
      expect((await transport.run(SCRIPT, RUN)).exitCode).toBe(0);
    } finally {
      await transport.close();
    }
  });

  test('agent auth without SSH_AUTH_SOCK is an SSH_AUTH error', async () => {
    const saved = process.env.SSH_AUTH_SOCK;
    delete process.env.SSH_AUTH_SOCK;
    try {
      const error = await connectError(
        transportWith(hostAt(server.port, { agent: true }), trustExactly({ MPS01: server.fingerprint })),
      );
      expect(error).toMatchObject({ code: 'SSH_AUTH', retryable: false });
    } finally {
      if (saved !== undefined) process.env.SSH_AUTH_SOCK = saved;
    }
  });
});

describe('host keys during the handshake', () => {
  test('a pinned key that matches connects', async () => {
    const policy = createHostKeyPolicy({ knownHostsFile: join(tempDir(), 'known_hosts'), acceptNew: false });
    const transport = transportWith(hostAt(server.port, undefined, server.fingerprint), policy);
    try {
      await transport.connect();
    } finally {
      await transport.close();
    }
  });

  test('a pinned key that differs is refused, naming host, address and both fingerprints', async () => {
    const policy = createHostKeyPolicy({ knownHostsFile: join(tempDir(), 'known_hosts'), acceptNew: true });
    const pinned = 'SHA256:' + 'A'.repeat(43);
    const error = await connectError(transportWith(hostAt(server.port, undefined, pinned), policy));
    expect(error).toMatchObject({ code: 'HOST_KEY_MISMATCH', retryable: false });
    for (const part of ['MPS01', `127.0.0.1:${server.port}`, pinned, server.fingerprint])
      expect(error.message).toContain(part);
  });

  test('an unknown key is refused without --accept-new-host-keys and recorded with it', async () => {
    const file = join(tempDir(), 'state', 'known_hosts');
    const refused = await connectError(
      transportWith(hostAt(server.port), createHostKeyPolicy({ knownHostsFile: file, acceptNew: false })),
    );
    expect(refused).toMatchObject({ code: 'HOST_KEY_UNKNOWN', retryable: false });
    expect(refused.hint).toContain('--accept-new-host-keys');

    const transport = transportWith(
      hostAt(server.port),
      createHostKeyPolicy({ knownHostsFile: file, acceptNew: true }),
    );
    try {
      await transport.connect();
    } finally {
      await transport.close();
    }
    expect(readFileSync(file, 'utf8')).toBe(
      `[127.0.0.1]:${server.port} ssh-ed25519 ${server.hostKeyBlob.toString('base64')}\n`,
    );
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  test('a changed key is refused even with --accept-new-host-keys', async () => {
    const file = join(tempDir(), 'known_hosts');
    const other = generateKey();
    writeFileSync(file, `# ours\n[127.0.0.1]:${server.port} ssh-ed25519 ${other.blob.toString('base64')}\n`);
    const error = await connectError(
      transportWith(hostAt(server.port), createHostKeyPolicy({ knownHostsFile: file, acceptNew: true })),
    );
    expect(error).toMatchObject({ code: 'HOST_KEY_CHANGED', retryable: false });
    expect(error.hint).toContain(`remove line 2 of ${file}`);
  });
});
