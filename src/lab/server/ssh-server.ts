/**
 * The simulated estate on the network: one real SSH server per inventory host, all in this
 * process, each answering from the shared host model.
 *
 * Each host gets its own `net.Server` so that connection faults act before the SSH banner (a
 * refused host never says hello) and so that TCP_NODELAY is set on every accepted socket — ssh2
 * sets it on neither side, and Nagle adds ~40 ms to every command (measured here: 44 ms a
 * command without it, 2.7 ms with it). Accepted sockets are handed to ssh2 with
 * `injectSocket`.
 */

import { createServer, type Server as NetServer, type Socket } from 'node:net';
import ssh2 from 'ssh2';
import type { Connection } from 'ssh2';
import { DeployError } from '../../errors.js';
import type { HostSpec, Inventory } from '../../inventory/types.js';
import { answerAuth, createCredentialLoader, type HostCredentials } from './auth.js';
import type { EstatePort } from './estate-port.js';
import { serveSessions } from './session-handler.js';

/** Where one simulated host listens and the key it proves itself with. */
export interface LabEndpoint {
  address: string;
  port: number;
  /** `SHA256:…` of the host key, as `ssh-keygen -lf` prints it. */
  fingerprint: string;
}

export interface LabServer {
  endpoints: Record<string, LabEndpoint>;
  /** Stops listening and cuts every open connection. */
  close(): Promise<void>;
}

export interface LabServerOptions {
  /** `inventory`: each host's own address and port. `ephemeral`: 127.0.0.1, a free port each. */
  bind: 'inventory' | 'ephemeral';
  /** The password for `passwordEnv` hosts; defaults to the variable the inventory names. */
  password?: string;
  /** Connection and authentication failures, one line each (never a secret). */
  log?: (line: string) => void;
}

interface HostListener {
  server: NetServer;
  sockets: Set<Socket>;
}

/**
 * Starts one SSH server per inventory host.
 *
 * @example
 * const lab = await startLabServer(estate, inventory, { bind: 'ephemeral' });
 * const { port, fingerprint } = lab.endpoints['MPS01']!;
 * await lab.close();
 */
export async function startLabServer(
  estate: EstatePort,
  inventory: Inventory,
  options: LabServerOptions,
): Promise<LabServer> {
  const log = options.log ?? (() => undefined);
  const known = new Set(estate.hostNames());
  const missing = inventory.hosts.filter((h) => !known.has(h.name)).map((h) => h.name);
  if (missing.length > 0) {
    throw new DeployError('state', `the lab state has no host ${missing.join(', ')}`, {
      code: 'LAB_STATE_MISMATCH',
      hint: 'the state file belongs to another inventory: start from a new state file',
    });
  }
  const loadCredentials = createCredentialLoader({ password: options.password });
  const listeners: HostListener[] = [];
  const endpoints: Record<string, LabEndpoint> = {};
  const close = async (): Promise<void> => {
    await Promise.all(listeners.map(closeListener));
  };
  try {
    for (const host of inventory.hosts) {
      const credentials = await loadCredentials(host);
      const listener = createHostListener(host, credentials, estate, log);
      listeners.push(listener);
      const where =
        options.bind === 'inventory'
          ? { host: host.address, port: host.port }
          : { host: '127.0.0.1', port: 0 };
      const port = await listen(listener.server, where.host, where.port, host.name);
      listener.server.on('error', (error) => log(`${host.name}: listener error: ${error.message}`));
      endpoints[host.name] = {
        address: where.host,
        port,
        fingerprint: estate.hostKey(host.name).fingerprint,
      };
    }
  } catch (error) {
    await close();
    throw error;
  }
  return { endpoints, close };
}

function createHostListener(
  host: HostSpec,
  credentials: HostCredentials,
  estate: EstatePort,
  log: (line: string) => void,
): HostListener {
  const sockets = new Set<Socket>();
  const ssh = new ssh2.Server({ hostKeys: [hostKeyOf(estate, host.name)] }, (client: Connection) => {
    // ssh2 keeps the socket it was handed; a "drop" fault cuts it directly.
    const socket = (client as unknown as { _sock: Socket })._sock;
    client.on('authentication', (ctx) => {
      const reason = answerAuth(ctx, credentials);
      if (reason) log(`${host.name}: authentication failed for "${ctx.username}": ${reason}`);
    });
    client.on('ready', () => serveSessions(client, { host: host.name, estate, socket, log }));
    client.on('error', (error: Error) => log(`${host.name}: connection error: ${error.message}`));
  });
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('error', () => undefined); // resets after a drop fault are expected; ssh2 reports the rest
    const fault = estate.connectFault(host.name);
    if (fault) {
      log(`${host.name}: connection from ${socket.remoteAddress ?? '?'} cut (${fault} fault)`);
      socket.resetAndDestroy();
      return;
    }
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    ssh.injectSocket(socket);
  });
  return { server, sockets };
}

/** The host's key, checked here so a bad one is named instead of failing deep inside ssh2. */
function hostKeyOf(estate: EstatePort, host: string): string {
  const { privateKey } = estate.hostKey(host);
  const parsed = ssh2.utils.parseKey(privateKey);
  if (parsed instanceof Error) {
    throw new DeployError('state', `the lab host key of ${host} cannot be used: ${parsed.message}`, {
      code: 'LAB_HOST_KEY_INVALID',
      hint: 'start from a new state file (the simulated hosts get new host keys)',
    });
  }
  return privateKey;
}

function listen(server: NetServer, address: string, port: number, name: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(
        new DeployError(
          'badInput',
          `lab host ${name} cannot listen on ${address}:${port}: ${error.message}`,
          {
            code: 'LAB_BIND_FAILED',
            hint:
              error.code === 'EADDRNOTAVAIL'
                ? `add ${address} to a local interface (e.g. \`ip addr add ${address}/32 dev lo\`) or use 127.x addresses`
                : 'another process holds that port: stop it or change the port in the inventory',
          },
        ),
      );
    };
    server.once('error', onError);
    server.listen({ host: address, port }, () => {
      server.off('error', onError);
      const bound = server.address();
      resolve(typeof bound === 'object' && bound ? bound.port : port);
    });
  });
}

function closeListener(listener: HostListener): Promise<void> {
  return new Promise((resolve) => {
    for (const socket of listener.sockets) socket.destroy();
    if (!listener.server.listening) return resolve();
    listener.server.close(() => resolve());
  });
}
