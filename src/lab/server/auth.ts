/**
 * Who may log in to a simulated host: exactly what the inventory describes for it, nothing else.
 *
 * - `passwordEnv`: the inventory user with the password held in that variable (or the one the
 *   caller passes in).
 * - `keyFile`: the inventory user with the public half of that key (`<keyFile>.pub`, or derived
 *   from the private key file when it is unencrypted).
 * - `agent`: the inventory user with any key the operator's agent could offer: every
 *   `~/.ssh/*.pub`, plus the identities of the running agent (`SSH_AUTH_SOCK`) when there is one.
 *
 * Signatures are verified as in ssh2's README; passwords compare in constant time.
 */

import { createHash, timingSafeEqual } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import type { AuthContext, ParsedKey } from 'ssh2';
import type { HostSpec } from '../../inventory/types.js';

const { utils, OpenSSHAgent } = ssh2;

/** What one host accepts, resolved once when the server starts. */
export type HostCredentials =
  | { method: 'password'; user: string; password: string | undefined; source: string }
  | { method: 'publickey'; user: string; keys: ParsedKey[]; source: string };

export interface CredentialOptions {
  /** Overrides the variable named by `passwordEnv` (same password for every such host). */
  password?: string;
  env?: NodeJS.ProcessEnv;
  homeDir?: string;
}

/** Loads public keys once per source: hundreds of hosts usually share one key file or agent. */
export function createCredentialLoader(
  options: CredentialOptions,
): (host: HostSpec) => Promise<HostCredentials> {
  const env = options.env ?? process.env;
  const home = options.homeDir ?? homedir();
  const cache = new Map<string, Promise<ParsedKey[]>>();
  const cached = (key: string, load: () => Promise<ParsedKey[]>): Promise<ParsedKey[]> => {
    let keys = cache.get(key);
    if (!keys) {
      keys = load();
      cache.set(key, keys);
    }
    return keys;
  };

  return async (host) => {
    const auth = host.auth;
    if ('passwordEnv' in auth) {
      const password = options.password ?? env[auth.passwordEnv];
      return { method: 'password', user: host.user, password, source: `$${auth.passwordEnv}` };
    }
    if ('keyFile' in auth) {
      const file = expandHome(auth.keyFile, home);
      return {
        method: 'publickey',
        user: host.user,
        keys: await cached(`file:${file}`, () => loadKeyFile(file)),
        source: file,
      };
    }
    const keys = await cached('agent', () => loadAgentKeys(home, env.SSH_AUTH_SOCK));
    return { method: 'publickey', user: host.user, keys, source: 'agent (~/.ssh/*.pub and SSH_AUTH_SOCK)' };
  };
}

/**
 * Answers one authentication attempt. Returns a reason when it rejected a real attempt (for the
 * log), `undefined` when it accepted or the client was only asking which methods exist.
 */
export function answerAuth(ctx: AuthContext, credentials: HostCredentials): string | undefined {
  const methods = [credentials.method];
  if (ctx.method === 'none') {
    ctx.reject(methods);
    return undefined;
  }
  if (ctx.method !== credentials.method) {
    ctx.reject(methods);
    return `method ${ctx.method} is not accepted (only ${credentials.method})`;
  }
  if (ctx.username !== credentials.user) {
    ctx.reject(methods);
    return `user "${ctx.username}" is not the inventory user`;
  }
  if (ctx.method === 'password' && credentials.method === 'password') {
    if (credentials.password !== undefined && safeEqual(ctx.password, credentials.password)) {
      ctx.accept();
      return undefined;
    }
    ctx.reject(methods);
    return credentials.password === undefined
      ? `no password: ${credentials.source} is unset`
      : 'wrong password';
  }
  if (ctx.method === 'publickey' && credentials.method === 'publickey') {
    const key = credentials.keys.find(
      (k) => k.type === ctx.key.algo && safeEqualBytes(k.getPublicSSH(), ctx.key.data),
    );
    if (!key) {
      ctx.reject(methods);
      return `public key not accepted (${credentials.source})`;
    }
    // Without a signature the client only asks whether this key would do.
    if (ctx.signature && ctx.blob && key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true) {
      ctx.reject(methods);
      return 'public key signature did not verify';
    }
    ctx.accept();
    return undefined;
  }
  ctx.reject(methods);
  return `method ${ctx.method} is not accepted`;
}

function safeEqual(given: string, expected: string): boolean {
  // Hash first so unequal lengths take the same path as equal ones.
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}

function safeEqualBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function expandHome(file: string, home: string): string {
  return file === '~' || file.startsWith('~/') ? join(home, file.slice(1)) : file;
}

async function loadKeyFile(file: string): Promise<ParsedKey[]> {
  const pub = await readFile(`${file}.pub`, 'utf8').catch(() => undefined);
  const fromPub = pub === undefined ? [] : parseKeys(pub);
  if (fromPub.length > 0) return fromPub;
  const priv = await readFile(file).catch(() => undefined);
  return priv === undefined ? [] : parseKeys(priv);
}

async function loadAgentKeys(home: string, agentSocket: string | undefined): Promise<ParsedKey[]> {
  const dir = join(home, '.ssh');
  const names = await readdir(dir).catch(() => [] as string[]);
  const keys: ParsedKey[] = [];
  for (const name of names.filter((n) => n.endsWith('.pub'))) {
    const text = await readFile(join(dir, name), 'utf8').catch(() => '');
    keys.push(...parseKeys(text));
  }
  if (agentSocket) keys.push(...(await agentIdentities(agentSocket)));
  return keys;
}

function agentIdentities(socketPath: string): Promise<ParsedKey[]> {
  return new Promise((resolve) => {
    new OpenSSHAgent(socketPath).getIdentities((err, keys) => {
      // The agent client parses what the agent lists into key objects; anything else is skipped.
      const parsed = (err ? [] : (keys ?? [])).filter(
        (k): k is ParsedKey => typeof k === 'object' && 'getPublicSSH' in k,
      );
      resolve(parsed);
    });
  });
}

function parseKeys(data: string | Buffer): ParsedKey[] {
  const parsed = utils.parseKey(data);
  if (parsed instanceof Error) return [];
  return Array.isArray(parsed) ? (parsed as ParsedKey[]) : [parsed];
}
