/**
 * N real OpenSSH `sshd` instances on loopback for the transport benchmark, each with its own
 * config, keys and port in a temp dir. Every instance forces a tiny sh script that answers the
 * deploy-rollup script protocol (probe → pending, verify → done, run → the three sections,
 * `__RC__=0`), so the engine, the bare client and Ansible all talk to the same daemons.
 */
import { spawn, spawnSync, execFileSync, type ChildProcess } from 'node:child_process';
import { fingerprintOfPublicKey } from '../src/lab/model/host-key.js';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface SshdHosts {
  dir: string;
  user: string;
  keyFile: string;
  privateKey: string;
  hosts: { name: string; port: number; fingerprint: string }[];
  close(): Promise<void>;
}

/**
 * The forced command (the estate lease's script is answered "held": the bench measures its
 * round trips, not a lease file). Builtins only for a plain command (`true`); an encoded deploy-rollup
 * script is decoded just far enough to read its header's phase (for a batch, also its first step
 * and how many steps it holds: the bench's step ids are `work/HOST/K`, so that names them all). A long script comes as the
 * engine's stdin bootstrap (recognised by its first line) with the script, base64 of its UTF-8
 * text, on standard input: its first 600 base64 characters hold the header. The persistent
 * PowerShell's bootstrap (`powershell: persistent`) reads one such line per script until EOF and
 * ends each answer with the end lines of `src/remote/persistent-shell.ts`.
 */
const PERSISTENT_PL = String.raw`$|=1; my $n=shift;
sub b64 { my $s=shift; $s=~tr|A-Za-z0-9+/||cd; $s=~tr|A-Za-z0-9+/| -_|; my $r=""; while ($s=~/(.{1,60})/gs) { $r.=unpack("u", chr(32+length($1)*3/4).$1) } $r }
while (my $l=<STDIN>) {
  my $h=b64(substr($l,0,600));
  if ($h=~/action=estate\.lease/) { print "DR:lease=held
" } elsif ($h=~/phase=probe/) { print "DR:state=pending
" } elsif ($h=~/phase=verify/) { print "DR:state=done
" }
  elsif ($h=~/phase=run/) { print join("
", qw(__PHASE__=probe DR:state=pending __PHASE_RC__=0 __PHASE__=apply __PHASE_RC__=0 __PHASE__=verify DR:state=done __PHASE_RC__=0)), "
" }
  elsif ($h=~/phase=batch/) { my ($f)=$h=~/ step=(\S+)/; my ($c)=$h=~/ target=(\d+)/; $f=~s/%2F/\//g; my ($p,$k)=$f=~m{^(.*/)(\d+)$};
    for my $i ($k..$k+$c-1) { print "__STEP__=$p$i\n", join("\n", qw(__PHASE__=probe DR:state=pending __PHASE_RC__=0 __PHASE__=apply __PHASE_RC__=0 __PHASE__=verify DR:state=done __PHASE_RC__=0 __STEP_RC__=0)), "\n" } }
  print "__RC__=0
"; print STDERR "__DR_END__=$n
"; print "__DR_END__=$n 0
";
}`;

const FORCE_SH = `#!/bin/sh
PERSISTENT_PL='${PERSISTENT_PL}'
answer() {
  case "$1" in
    *action=estate.lease*) echo DR:lease=held ;;
    *phase=probe*) echo DR:state=pending ;;
    *phase=verify*) echo DR:state=done ;;
    *phase=run*) printf '%s\\n' __PHASE__=probe DR:state=pending __PHASE_RC__=0 __PHASE__=apply __PHASE_RC__=0 __PHASE__=verify DR:state=done __PHASE_RC__=0 ;;
    *phase=batch*)
      # The bench's step ids are work/HOST/K: the batch holds K (its first) to K + target - 1.
      first=\${1#* step=}; first=\${first%% *}; n=\${1#* target=}; n=\${n%% *}
      stage=\${first%%%2F*}; rest=\${first#*%2F}; host=\${rest%%%2F*}; i=\${rest#*%2F}; end=$((i + n))
      while [ "$i" -lt "$end" ]; do
        printf '%s\\n' "__STEP__=$stage/$host/$i" __PHASE__=probe DR:state=pending __PHASE_RC__=0 __PHASE__=apply __PHASE_RC__=0 __PHASE__=verify DR:state=done __PHASE_RC__=0 __STEP_RC__=0
        i=$((i + 1))
      done ;;
  esac
  echo __RC__=0
}
case "$SSH_ORIGINAL_COMMAND" in
  *-EncodedCommand*)
    # Shortest-prefix removal: dash's longest-match "##* " is quadratic on a 4 KB command line.
    # printf's precision cuts the first 800 characters (one process fewer than head), and dash
    # drops the UTF-16 NULs from a command substitution by itself (one fewer than tr).
    head=$(printf %.800s "\${SSH_ORIGINAL_COMMAND#*-EncodedCommand }" | base64 -d 2>/dev/null)
    case "$head" in
      "# deploy-rollup/1 stdin:"*) head=$(head -c 600 | base64 -d 2>/dev/null) ;;
      "# deploy-rollup/1 persistent:"*)
        # A persistent interpreter, as powershell.exe is: perl (perl-base, in every Debian) reads
        # one script per line until EOF, with no process per script. Its base64 is uudecode's
        # alphabet swapped in (perl-base has no MIME::Base64).
        nonce=\${head#*__DR_END__=}
        exec perl -e "$PERSISTENT_PL" "\${nonce%%[!0-9a-f]*}" ;;
    esac
    answer "$head" ;;
  /usr/lib/openssh/sftp-server) exec /usr/lib/openssh/sftp-server ;;
  *) exec /bin/sh -c "$SSH_ORIGINAL_COMMAND" ;;
esac
`;

async function portFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

/** Free ports below Linux's ephemeral range (32768), scanning from a random base. */
async function lowPorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  let port = 24000 + Math.floor(Math.random() * 4000);
  for (let tries = 0; ports.length < count && tries < 2000; tries++, port++) {
    if (await portFree(port)) ports.push(port);
  }
  if (ports.length < count) throw new Error('no free low ports for sshd');
  return ports;
}

async function waitListening(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 100 && child.exitCode === null; i++) {
    const up = await new Promise<boolean>((done) => {
      const s = netConnect({ host: '127.0.0.1', port }, () => {
        s.destroy();
        done(true);
      });
      s.once('error', () => done(false));
    });
    if (up) return;
    await sleep(50);
  }
  throw new Error(`sshd on ${port} did not start`);
}

/** Starts `count` sshd instances; `close()` stops exactly those and removes the temp dir. */
/** The login user: root's bash sources ~/.bashrc under sshd (~120 ms a command), so a /bin/sh user. */
export const BENCH_USER = 'drbench';

/**
 * One-time machine setup, said on stderr: the login user with /bin/sh (password field `*`, so
 * sshd without PAM accepts its key login).
 */
export function ensureMachineSetup(log: (line: string) => void): void {
  if (spawnSync('id', [BENCH_USER], { stdio: 'ignore' }).status !== 0) {
    log(`setup: creating system user ${BENCH_USER} (shell /bin/sh) for the sshd benchmark`);
    execFileSync('useradd', [
      '--system',
      '--create-home',
      '--home-dir',
      `/var/lib/${BENCH_USER}`,
      '--shell',
      '/bin/sh',
      BENCH_USER,
    ]);
  }
  // useradd leaves the account locked ("!"), which sshd without PAM refuses even for key logins.
  execFileSync('usermod', ['-p', '*', BENCH_USER]);
}

export async function startSshdHosts(count: number): Promise<SshdHosts> {
  await mkdir('/run/sshd', { recursive: true });
  const dir = await mkdtemp(join(tmpdir(), 'bench-sshd-'));
  await chmod(dir, 0o755); // sshd reads authorized_keys and runs force.sh as the bench user
  const children: ChildProcess[] = [];
  const close = async (): Promise<void> => {
    await Promise.all(
      children.map(
        (child) =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      ),
    );
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const keyFile = join(dir, 'id_ed25519');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', keyFile]);
    await writeFile(join(dir, 'authorized_keys'), await readFile(`${keyFile}.pub`));
    const force = join(dir, 'force.sh');
    await writeFile(force, FORCE_SH);
    await chmod(force, 0o755);
    const ports = await lowPorts(count);
    const hosts: SshdHosts['hosts'] = [];
    for (const [i, port] of ports.entries()) {
      const inst = join(dir, `inst-${port}`);
      await mkdir(inst);
      const hostKey = join(inst, 'host_key');
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
      const config = join(inst, 'sshd_config');
      await writeFile(
        config,
        [
          `Port ${port}`,
          'ListenAddress 127.0.0.1',
          `HostKey ${hostKey}`,
          `PidFile ${join(inst, 'sshd.pid')}`,
          `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
          'PubkeyAuthentication yes',
          'PasswordAuthentication no',
          'KbdInteractiveAuthentication no',
          'UsePAM no',
          'StrictModes no',
          `ForceCommand ${force}`,
          'Subsystem sftp /usr/lib/openssh/sftp-server',
          'MaxStartups 50:30:100',
          '',
        ].join('\n'),
      );
      const child = spawn('/usr/sbin/sshd', ['-D', '-f', config, '-E', join(inst, 'sshd.log')], {
        stdio: 'ignore',
      });
      children.push(child);
      await waitListening(port, child);
      hosts.push({
        name: `bench-${String(i + 1).padStart(2, '0')}`,
        port,
        fingerprint: fingerprintOfPublicKey(await readFile(`${hostKey}.pub`, 'utf8')),
      });
    }
    return {
      dir,
      user: BENCH_USER,
      keyFile,
      privateKey: await readFile(keyFile, 'utf8'),
      hosts,
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
