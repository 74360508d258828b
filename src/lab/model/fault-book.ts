/**
 * Which faults fire for a connection or a command. Counters live in the lab state so a drill
 * ("fail twice, then succeed") carries on across restarts of the lab.
 */
import type { ScriptHeader } from '../../remote/header.js';
import type { Fault } from './faults.js';
import { faultKey } from './faults.js';
import type { FaultCounters } from './state.js';
import { sameName } from './names.js';

type CommandFault = Extract<Fault, { kind: 'fail' | 'drop' | 'hang' }>;

export class FaultBook {
  constructor(
    private readonly faults: readonly Fault[],
    private readonly counters: () => FaultCounters,
  ) {}

  private fired(fault: Fault): number {
    return this.counters().fired[faultKey(fault)] ?? 0;
  }

  private fire(fault: Fault): void {
    const key = faultKey(fault);
    this.counters().fired[key] = (this.counters().fired[key] ?? 0) + 1;
  }

  /**
   * Whether the host is down. It stays down, across lab restarts, for as long as the fault file
   * in use names it `down`; starting the lab without that fault is how the operator brings the
   * host back (the drill's "the server was repaired").
   */
  isDown(host: string): boolean {
    const id = host.toLowerCase();
    const counters = this.counters();
    const named = this.faults.filter((f) => f.kind === 'down' && sameName(f.host, host));
    if (named.length === 0) {
      delete counters.down[id];
      return false;
    }
    if (counters.down[id]) return true;
    const served = counters.commands[id] ?? 0;
    const down = named.some((f) => f.kind === 'down' && served >= f.afterCommands);
    if (down) counters.down[id] = true;
    return down;
  }

  countCommand(host: string): void {
    const id = host.toLowerCase();
    this.counters().commands[id] = (this.counters().commands[id] ?? 0) + 1;
  }

  /** A connection attempt: 'down', a consumed 'refuse', or nothing. */
  connect(host: string): 'refuse' | 'down' | undefined {
    if (this.isDown(host)) return 'down';
    const refuse = this.faults.find(
      (f) => f.kind === 'refuse' && sameName(f.host, host) && this.fired(f) < f.times,
    );
    if (!refuse) return undefined;
    this.fire(refuse);
    return 'refuse';
  }

  /** The first fail/drop/hang fault that matches this command and has firings left; consumes one. */
  takeCommandFault(host: string, header: ScriptHeader): CommandFault | undefined {
    const found = this.faults.find(
      (f): f is CommandFault =>
        (f.kind === 'fail' || f.kind === 'drop' || f.kind === 'hang') &&
        sameName(f.host, host) &&
        (f.action === undefined || sameName(f.action, header.action)) &&
        (f.target === undefined || sameName(f.target, header.target)) &&
        f.phase === header.phase &&
        this.fired(f) < f.times,
    );
    if (found) this.fire(found);
    return found;
  }

  /** The slow-down factor of a host, if a `slow` fault names it. */
  slowFactor(host: string): number | undefined {
    const slow = this.faults.find((f) => f.kind === 'slow' && sameName(f.host, host));
    return slow?.kind === 'slow' ? slow.factor : undefined;
  }

  /** Whether the operator forgets `item` at `gate`; consumes one firing. */
  forgets(gate: string, item: string): boolean {
    const forget = this.faults.find(
      (f) =>
        f.kind === 'forget' &&
        sameName(f.item, item) &&
        (f.gate === undefined || sameName(f.gate, gate)) &&
        this.fired(f) < f.times,
    );
    if (!forget) return false;
    this.fire(forget);
    return true;
  }

  /** The faults that never fired (a slow host that served no command, a down host never down). */
  unfired(): Fault[] {
    const counters = this.counters();
    return this.faults.filter((fault) => {
      if (fault.kind === 'slow') return (counters.commands[fault.host.toLowerCase()] ?? 0) === 0;
      if (fault.kind === 'down') return counters.down[fault.host.toLowerCase()] !== true;
      return this.fired(fault) === 0;
    });
  }
}
