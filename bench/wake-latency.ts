/**
 * What waking an idle process costs on this machine: a one-byte TCP round trip over loopback
 * between two Node processes, sent at once after the last answer or after an idle pause. The
 * UR6 bench's rolling hub chain pays it on every command (the orchestrator and the lab both
 * sleep while a simulated step runs), the zero-duration run never does.
 * `node dist/bench/wake-latency.js [--json]`; a child process of this script is the echo end.
 */
import { spawn } from 'node:child_process';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

const PAUSES_MS = [0, 1, 5, 20, 100];

export interface WakeFigure {
  pauseMs: number;
  samples: number;
  p50Ms: number;
  meanMs: number;
}

function echoServer(): void {
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('data', (data) => socket.write(data));
  });
  server.listen(0, '127.0.0.1', () => {
    process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
  });
  // The parent closing our stdin is the end.
  process.stdin.on('end', () => process.exit(0)).resume();
}

function roundTrip(socket: Socket): Promise<number> {
  return new Promise((resolve) => {
    const started = performance.now();
    socket.once('data', () => resolve(performance.now() - started));
    socket.write('x');
  });
}

export async function measureWakeLatency(): Promise<WakeFigure[]> {
  const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--echo'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.once('data', (data: Buffer) => resolve(Number(String(data).trim())));
      child.once('exit', (code) => reject(new Error(`echo process exited with ${code}`)));
    });
    const socket = connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    await new Promise((resolve) => socket.once('connect', resolve));
    const figures: WakeFigure[] = [];
    for (const pauseMs of PAUSES_MS) {
      const times: number[] = [];
      // Bounded: at most 100 round trips, ~3 s for the longest pause.
      const samples = pauseMs >= 20 ? 30 : 100;
      for (let i = 0; i < samples; i++) {
        if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
        times.push(await roundTrip(socket));
      }
      times.sort((a, b) => a - b);
      figures.push({
        pauseMs,
        samples,
        p50Ms: times[times.length >> 1] ?? NaN,
        meanMs: times.reduce((a, b) => a + b, 0) / times.length,
      });
    }
    socket.destroy();
    return figures;
  } finally {
    child.stdin.end();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--echo')) echoServer();
  else {
    const figures = await measureWakeLatency();
    if (process.argv.includes('--json')) console.log(JSON.stringify(figures));
    else
      for (const f of figures)
        console.log(
          `idle ${String(f.pauseMs).padStart(3)} ms before each: round trip p50 ${f.p50Ms.toFixed(3)} ms, mean ${f.meanMs.toFixed(3)} ms (${f.samples})`,
        );
  }
}
