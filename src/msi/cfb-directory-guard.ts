/**
 * The directory half of the compound-file pre-check (see cfb-guard.ts). cfb 1.2.2 builds full
 * paths from the directory's sibling/child links with a work queue that re-queues an entry each
 * time a sibling above it is revisited and searches the queue linearly, and then climbs parent
 * links with no loop guard: a link cycle hangs it and an unlucky sibling order is cubic. Here
 * every link is range-checked, every entry may be linked from at most one other, and the exact
 * work cfb will do is counted (cheaply) against a budget before cfb ever runs.
 */
import type { Fail } from './msi-format-error.js';

/** The FAT split into disjoint chains: which chain a sector is on and how far along. */
export interface SectorChains {
  chainOf: Int32Array;
  position: Int32Array;
  lengths: number[];
  sectorCount: number;
}

export interface DirectoryInput {
  bytes: Uint8Array;
  view: DataView;
  ssz: number;
  fat: Uint32Array;
  chains: SectorChains;
  dirStart: number;
  /** First MiniFAT sector and MiniFAT sector count, from the header. */
  miniFat: [number, number];
}

/** Real packages hold tens to hundreds of streams; this leaves ample room. */
export const MAX_DIRECTORY_ENTRIES = 4096;
const ENTRY_SIZE = 128;
const NOSTREAM = -1;
const ENDOFCHAIN = -2;
const MINI_CUTOFF = 4096;
/** Operations cfb's path builder may spend; a sane tree of 4096 entries needs well under 1M. */
const PATH_WORK_BUDGET = 5_000_000;

interface Entry {
  type: number;
  links: [number, number, number];
}

/** Validates the directory so that cfb's directory reader and path builder terminate quickly. */
export function checkDirectory(input: DirectoryInput, fail: Fail): void {
  const { view, ssz, fat, chains, dirStart } = input;
  const isHead = (sector: number): boolean =>
    sector >= 0 && sector < chains.sectorCount && chains.position[sector] === 0;
  const chainBytes = (sector: number): number => (chains.lengths[chains.chainOf[sector] ?? 0] ?? 0) * ssz;
  if (!isHead(dirStart)) fail(`the directory starts inside another chain (sector ${dirStart})`);
  const dirSectors: number[] = [];
  for (let sector = dirStart; sector < chains.sectorCount; sector = fat[sector] ?? ENDOFCHAIN >>> 0) {
    dirSectors.push(sector);
  }
  const count = (dirSectors.length * ssz) / ENTRY_SIZE;
  if (count > MAX_DIRECTORY_ENTRIES)
    fail(`the directory has ${count} entries (limit ${MAX_DIRECTORY_ENTRIES})`);

  const [miniFatStart, miniFatCount] = input.miniFat;
  if (miniFatCount > 0 && miniFatStart !== ENDOFCHAIN >>> 0 && !isHead(miniFatStart)) {
    fail(`the MiniFAT starts at sector ${miniFatStart}, which is not the start of a chain`);
  }
  const entries: Entry[] = [];
  for (let n = 0; n < count; n++) {
    const sector = dirSectors[Math.floor((n * ENTRY_SIZE) / ssz)] ?? 0;
    const at = (sector + 1) * ssz + ((n * ENTRY_SIZE) % ssz);
    const type = view.getUint8(at + 66);
    const link = (d: number): number => view.getInt32(at + 68 + d, true);
    const links: [number, number, number] = [link(0), link(4), link(8)];
    const start = view.getInt32(at + 116, true);
    const size = view.getInt32(at + 120, true);
    const where = `directory entry ${n}`;
    if (![0, 1, 2, 5].includes(type) || (type === 5) !== (n === 0)) fail(`${where} has type ${type}`);
    if (links.some((link) => link !== NOSTREAM && (link < 0 || link >= count))) {
      fail(`${where} links to an entry outside the directory`);
    }
    const nameLength = view.getUint16(at + 64, true);
    if (type !== 0 && (nameLength > 64 || nameLength % 2 !== 0))
      fail(`${where} has a name length of ${nameLength}`);
    if (n === 0) {
      if (miniFatCount > 0 && start !== ENDOFCHAIN && !isHead(start))
        fail('the mini stream starts inside another chain');
    } else if (!(size < 0 && start < 0) && size >= MINI_CUTOFF) {
      if (!isHead(start)) fail(`${where} starts at sector ${start}, which is not the start of a chain`);
      if (chainBytes(start) < size)
        fail(`${where} claims ${size} bytes but its chain holds ${chainBytes(start)}`);
    }
    entries.push({ type, links });
  }
  checkTree(entries, fail);
  checkPathWork(entries, fail);
}

/**
 * Each entry is linked from at most one other and everything linked hangs off the root. Unused
 * entries are left out: some writers (libgsf, so wixl) zero their links, which reads as links to
 * the root; cfb's handling of them is still covered by {@link checkPathWork}.
 */
function checkTree(entries: Entry[], fail: Fail): void {
  const linkedFrom = new Int32Array(entries.length).fill(-1);
  entries.forEach(({ type, links }, n) => {
    if (type === 0) return;
    for (const link of links) {
      if (link === NOSTREAM) continue;
      if (link === 0 || linkedFrom[link] !== -1) fail(`directory entry ${link} is linked twice`);
      linkedFrom[link] = n;
    }
  });
  const reached = new Uint8Array(entries.length);
  const stack = [0];
  reached[0] = 1;
  for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
    const from = entries[n];
    for (const link of from === undefined || from.type === 0 ? [] : from.links) {
      if (link !== NOSTREAM && reached[link] === 0) {
        reached[link] = 1;
        stack.push(link);
      }
    }
  }
  const stray = Array.from(linkedFrom).findIndex((from, n) => from !== -1 && reached[n] === 0);
  if (stray !== -1) fail(`directory entry ${stray} is part of a link cycle`);
}

/** Replays cfb's build_full_paths on links alone, counting its queue scans and parent climbs. */
function checkPathWork(entries: Entry[], fail: Fail): void {
  const count = entries.length;
  const dad = Int32Array.from({ length: count }, (_, n) => n);
  const queue = Array.from(dad);
  const lastAt = Int32Array.from(dad);
  let work = 0;
  const overBudget = (): never => fail('the directory tree is too convoluted to walk in bounded time');
  const requeue = (n: number, j: number): void => {
    work += queue.length - (lastAt[n] ?? 0);
    if ((lastAt[n] ?? 0) < j) {
      lastAt[n] = queue.length;
      queue.push(n);
    }
    if (work > PATH_WORK_BUDGET) overBudget();
  };
  let [left, right] = [NOSTREAM, NOSTREAM];
  for (let j = 0; j < queue.length; j++) {
    const i = queue[j] ?? 0;
    const [l, r, c] = entries[i]?.links ?? [NOSTREAM, NOSTREAM, NOSTREAM];
    [left, right] = [l, r];
    if (dad[i] === i) {
      if (l !== NOSTREAM && dad[l] !== l) dad[i] = dad[l] ?? i;
      if (r !== NOSTREAM && dad[r] !== r) dad[i] = dad[r] ?? i;
    }
    if (c !== NOSTREAM) dad[c] = i;
    if (l !== NOSTREAM && i !== dad[i]) {
      dad[l] = dad[i] ?? l;
      requeue(l, j);
    }
    if (r !== NOSTREAM && i !== dad[i]) {
      dad[r] = dad[i] ?? r;
      requeue(r, j);
    }
  }
  for (let i = 1; i < count; i++) {
    if (dad[i] !== i) continue;
    if (right !== NOSTREAM && dad[right] !== right) dad[i] = dad[right] ?? i;
    else if (left !== NOSTREAM && dad[left] !== left) dad[i] = dad[left] ?? i;
  }
  for (let i = 1; i < count; i++) {
    if (entries[i]?.type === 0) continue;
    let j = i;
    if (j !== dad[j]) {
      do {
        j = dad[j] ?? 0;
        if (++work > PATH_WORK_BUDGET) overBudget();
      } while (j !== 0 && dad[j] !== -1 && j !== dad[j]);
    }
    dad[i] = -1;
  }
}
