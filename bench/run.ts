/**
 * `npm run bench`: orchestration overhead against the SSH floor and Ansible, the runbook's own
 * floor on simulated estates, and resources. `--json` prints one object on stdout; `--smoke` is
 * a short run for CI (< 30 s, no Ansible, one small estate). Progress goes to stderr.
 * Other flags: `--no-ansible`, `--sizes 12,100`.
 */
import type { ChainGaps } from './critical-path.js';
import { benchEstate, benchResume, fileLimit, type EstateFigures } from './estates.js';
import { checkpointCost } from './checkpoint-cost.js';
import { measureWakeLatency } from './wake-latency.js';
import { benchTransport } from './transport.js';
import { describeMissing, missingPrerequisites } from './prerequisites.js';

const argv = process.argv.slice(2);
const has = (flag: string): boolean => argv.includes(flag);
const valueOf = (flag: string): string | undefined =>
  argv.includes(flag) ? argv[argv.indexOf(flag) + 1] : undefined;
const log = (line: string): void => void process.stderr.write(`${line}\n`);
const r = (x: number | null | undefined, d = 2): number | null =>
  x === null || x === undefined || !Number.isFinite(x) ? null : Number(x.toFixed(d));

const chain = (c: ChainGaps) => ({
  commands: c.commands,
  gapMs: r(c.gapMs),
  labLatenessMs: r(c.labLatenessMs),
});

async function main(): Promise<void> {
  const missing = missingPrerequisites();
  if (missing.length > 0) {
    log(describeMissing(missing));
    process.exitCode = 2;
    return;
  }
  const smoke = has('--smoke');
  const sizes = (valueOf('--sizes') ?? (smoke ? '12' : '12,100,1000')).split(',').map(Number);
  const limit = fileLimit();
  log(
    `ulimit -n: ${limit.soft}; children run with ${limit.raisedTo}${limit.raisedTo < 4096 ? ' — too low for 1,000 hosts (need ~4 per host across both processes): raise the hard limit' : ''}`,
  );

  const transport = await benchTransport({
    hosts: smoke ? 3 : 10,
    steps: smoke ? 5 : 20,
    repeats: smoke ? 1 : 3,
    ansible: !smoke && !has('--no-ansible'),
    log,
  });
  const estates: EstateFigures[] = [];
  for (const hosts of sizes)
    estates.push(
      await benchEstate(hosts, smoke ? 0.002 : hosts >= 1000 ? 0.01 : 0.02, log, {
        perStepToo: hosts === 100,
      }),
    );
  const largest = Math.max(...sizes);
  const resume = smoke ? undefined : await benchResume(largest, log);
  const checkpoint = await checkpointCost(smoke ? 200 : 2000);
  // Why a serial chain costs more per command in a timed run than in a zero-duration one.
  const wakeLatency = smoke ? null : await measureWakeLatency();

  const result = {
    floorMs: r(transport.floorMs, 0),
    floorSameWorkMs: r(transport.floorSameWorkMs, 0),
    floorThreeTripsMs: r(transport.floorThreeTripsMs, 0),
    oursMs: r(transport.oursMs, 0),
    oursUnbatchedMs: r(transport.oursUnbatchedMs, 0),
    oursPerStepMs: r(transport.oursPerStepMs, 0),
    ansibleMs: r(transport.ansibleMs, 0),
    ansibleControlPersistMs: r(transport.ansibleControlPersistMs, 0),
    ratios: {
      oursToFloor: r(transport.oursMs / transport.floorMs),
      oursToSameWorkFloor: r(transport.oursMs / transport.floorSameWorkMs),
      oursUnbatchedToFloor: r(transport.oursUnbatchedMs / transport.floorMs),
      oursPerStepToFloor: r(transport.oursPerStepMs / transport.floorMs),
      ansibleToOurs: r(transport.ansibleMs === null ? null : transport.ansibleMs / transport.oursMs),
      ansibleControlPersistToOurs: r(
        transport.ansibleControlPersistMs === null
          ? null
          : transport.ansibleControlPersistMs / transport.oursMs,
      ),
      ansibleToFloor: r(transport.ansibleMs === null ? null : transport.ansibleMs / transport.floorMs),
      ansibleControlPersistToOursPerStep: r(
        transport.ansibleControlPersistMs === null
          ? null
          : transport.ansibleControlPersistMs / transport.oursPerStepMs,
      ),
      ansibleControlPersistToFloor: r(
        transport.ansibleControlPersistMs === null
          ? null
          : transport.ansibleControlPersistMs / transport.floorMs,
      ),
    },
    oursCommands: transport.oursCommands,
    oursUnbatchedCommands: transport.oursUnbatchedCommands,
    estates: estates.map((e) => ({
      hosts: e.hosts,
      timeScale: e.timeScale,
      hostSteps: e.hostSteps,
      wallMs: r(e.wallMs, 0),
      criticalPathMs: r(e.criticalPathMs, 0),
      ratio: r(e.ratio, 3),
      zeroDurationWallMs: r(e.zeroDurationWallMs, 0),
      overheadPerStepMs: r(e.overheadPerStepMs),
      peakRssMb: r(e.peakRssMb, 0),
      labPeakRssMb: r(e.labPeakRssMb, 0),
      journalBytesPerStep: r(e.journalBytesPerStep, 0),
      snapshotBytes: e.snapshotBytes,
      stages: e.stages,
      hubChain: chain(e.hubChain),
      zeroDurationHubChain: chain(e.zeroDurationHubChain),
      perStep: e.perStep
        ? {
            wallMs: r(e.perStep.wallMs, 0),
            criticalPathMs: r(e.perStep.criticalPathMs, 0),
            ratio: r(e.perStep.ratio, 3),
            hubChain: chain(e.perStep.hubChain),
          }
        : null,
    })),
    resumeStartMs: r(resume?.resumeFirstCommandMs, 0),
    resume: resume ?? null,
    checkpoint,
    wakeLatency,
    ulimitN: limit,
  };
  if (has('--json')) {
    process.stdout.write(JSON.stringify(result) + '\n');
    return;
  }
  const lines = [
    `${transport.hosts} hosts x ${transport.steps} steps over OpenSSH sshd (median of ${smoke ? 1 : 3}):`,
    `  floor (node-ssh, 20 x true/host)          ${result.floorMs} ms`,
    `  floor, 1 encoded run per step             ${result.floorSameWorkMs} ms`,
    `  floor, 3 encoded commands per step        ${result.floorThreeTripsMs} ms`,
    `  deploy-rollup, powershell: persistent      ${result.oursMs} ms  (${result.ratios.oursToFloor}x floor, ${result.ratios.oursToSameWorkFloor}x same-work floor; ${transport.oursCommands} commands)`,
    `  deploy-rollup, persistent, --no-batch      ${result.oursUnbatchedMs} ms  (${result.ratios.oursUnbatchedToFloor}x floor; ${transport.oursUnbatchedCommands} commands)`,
    `  deploy-rollup, powershell: per-step        ${result.oursPerStepMs} ms  (${result.ratios.oursPerStepToFloor}x floor)`,
    `  ansible-playbook, no reuse                ${result.ansibleMs ?? 'unavailable'} ms`,
    `  ansible-playbook, ControlPersist          ${result.ansibleControlPersistMs ?? 'unavailable'} ms  (${result.ratios.ansibleControlPersistToOurs ?? '-'}x ours, ${result.ratios.ansibleControlPersistToOursPerStep ?? '-'}x ours per-step)`,
    'UR6 (no UR5) on simulated estates, powershell: persistent:',
    ...result.estates.map(
      (e) =>
        `  ${e.hosts} hosts (${e.hostSteps} steps, x${e.timeScale}): wall ${e.wallMs} ms / critical path ${e.criticalPathMs} ms = ${e.ratio}${e.perStep ? ` (per-step: ${e.perStep.wallMs} / ${e.perStep.criticalPathMs} ms = ${e.perStep.ratio})` : ''}; hub chain: ${e.hubChain.commands} commands, ${e.hubChain.gapMs} ms between (${e.zeroDurationHubChain.gapMs} ms with zero durations), ${e.hubChain.labLatenessMs} ms late on the lab; zero-duration ${e.zeroDurationWallMs} ms = ${e.overheadPerStepMs} ms/step; RSS orchestrator ${e.peakRssMb} MB, lab ${e.labPeakRssMb} MB; journal ${e.journalBytesPerStep} B/step, snapshot ${e.snapshotBytes} B`,
    ),
    `resume after SIGKILL halfway (${resume?.hosts ?? '-'} hosts): first command ${resume ? r(resume.resumeFirstCommandMs, 0) : '-'} ms, first step command ${resume ? r(resume.resumeFirstStepCommandMs, 0) : '-'} ms after process start`,
    `checkpoint: journal append (fsync) ${checkpoint.appendMs} ms, ${checkpoint.concurrentAppendMs} ms/entry with 10 lanes; snapshot save ${checkpoint.snapshotSaveMs} ms`,
    ...(wakeLatency
      ? [
          `loopback round trip to a process idle for ${wakeLatency.map((w) => `${w.pauseMs} ms: ${r(w.p50Ms, 3)}`).join(', ')} ms (p50)`,
        ]
      : []),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}

await main();
