/**
 * A bounded, linear pre-check of a compound file's sector structure, run before handing the
 * bytes to the `cfb` package. cfb 1.2.2 trusts the file: a FAT chain that loops back on itself
 * from a stream's start sector makes it append sectors forever, an out-of-range sector number
 * makes it crash with a TypeError, and chains laid out backwards make its chain discovery
 * quadratic in the number of sectors. This check rejects those layouts (and truncation) with a
 * clear message in time linear in the file size, and hands the directory to
 * {@link checkDirectory} for the same treatment of the directory tree.
 */
import { checkDirectory, type SectorChains } from './cfb-directory-guard.js';
import type { Fail } from './msi-format-error.js';

const SIGNATURE = [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1];
const FREESECT = 0xffffffff;
const ENDOFCHAIN = 0xfffffffe;
const FATSECT = 0xfffffffd;
const DIFSECT = 0xfffffffc;
/** Sector numbers at or above this are markers (free, end of chain, FAT, DIFAT), not sectors. */
const MAXREGSECT = 0xfffffffa;
/**
 * cfb's chain discovery may revisit sectors, and keeps a copy of every walk; allow a few passes
 * over the file plus 16384 visits (8 MiB of 512-byte sectors), reject the quadratic cases.
 */
const WALK_BUDGET_PER_SECTOR = 4;
const WALK_BUDGET_EXTRA = 16384;

/** Enough FAT to map 512 MiB of 4096-byte sectors, far beyond the input cap. */
const MAX_FAT_SECTORS = 1 << 17;

const isSector = (value: number): boolean => value < MAXREGSECT;

/** Validates `bytes` as a compound file cfb can read in bounded time; `fail` on any defect. */
export function checkCompoundFile(bytes: Uint8Array, fail: Fail): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (offset: number): number => view.getUint16(offset, true);
  const u32 = (offset: number): number => view.getUint32(offset, true);
  if (bytes.length < 512 || SIGNATURE.some((byte, i) => bytes[i] !== byte)) {
    fail(`not a compound file (${bytes.length} bytes without the D0 CF 11 E0 A1 B1 1A E1 header)`);
  }
  const major = u16(0x1a);
  const shift = u16(0x1e);
  if (!((major === 3 && shift === 9) || (major === 4 && shift === 12))) {
    fail(`unsupported compound-file version ${major} with sector shift ${shift}`);
  }
  if (u16(0x20) !== 6 || u32(0x38) !== 4096 || u16(0x22) !== 0 || u32(0x24) !== 0) {
    fail('the compound-file header has a bad mini-sector shift, cutoff or reserved field');
  }
  if (major === 3 && u32(0x28) !== 0) fail('a version-3 compound file must not count directory sectors');
  const ssz = 1 << shift;
  const truncated = (needed: number): never =>
    fail(`not a compound file (truncated at ${bytes.length} of at least ${needed} bytes?)`);
  if (bytes.length % ssz !== 0) truncated(Math.ceil(bytes.length / ssz) * ssz);
  const sectorCount = bytes.length / ssz - 1;
  const sectorOffset = (sector: number): number => (sector + 1) * ssz;

  const fatSectors = readDifat(u32, ssz, sectorCount, truncated, fail);
  const perSector = ssz / 4;
  const fat = new Uint32Array(fatSectors.length * perSector);
  fatSectors.forEach((sector, n) => {
    for (let k = 0; k < perSector; k++) fat[n * perSector + k] = u32(sectorOffset(sector) + 4 * k);
  });
  let lastNeeded = -1;
  fat.forEach((next, sector) => {
    if (isSector(next)) lastNeeded = Math.max(lastNeeded, sector, next);
    else if (next === FATSECT || next === DIFSECT) lastNeeded = Math.max(lastNeeded, sector);
  });
  if (lastNeeded >= sectorCount) truncated(sectorOffset(lastNeeded + 1));
  if (fat.length < sectorCount) fail(`the FAT covers ${fat.length} sectors but the file has ${sectorCount}`);

  const chains = traceChains(fat, sectorCount, fail);
  const dirStart = u32(0x30);
  checkWalkCost(chains, dirStart, fail);
  checkDirectory({ bytes, view, ssz, fat, chains, dirStart, miniFat: [u32(0x3c), u32(0x40)] }, fail);
}

/** The FAT sector numbers the header and DIFAT chain list, exactly as cfb will collect them. */
function readDifat(
  u32: (offset: number) => number,
  ssz: number,
  sectorCount: number,
  truncated: (needed: number) => never,
  fail: Fail,
): number[] {
  const fatCount = u32(0x2c);
  if (fatCount === 0 || fatCount > MAX_FAT_SECTORS) fail(`the header counts ${fatCount} FAT sectors`);
  const fatSectors: number[] = [];
  const take = (sector: number, where: string): void => {
    if (fatSectors.length < fatCount) {
      if (!isSector(sector)) fail(`${where} lists FAT sector ${fatSectors.length} as ${sector.toString(16)}`);
      if (sector >= sectorCount) truncated((sector + 2) * ssz);
      fatSectors.push(sector);
    } else if (sector !== FREESECT && sector !== ENDOFCHAIN) {
      fail(`${where} lists more FAT sectors than the ${fatCount} the header counts`);
    }
  };
  for (let j = 0; j < 109; j++) take(u32(0x4c + 4 * j), 'the header');
  const difatCount = u32(0x48);
  let next = u32(0x44);
  const seen = new Set<number>();
  for (let d = 0; d < difatCount; d++) {
    if (!isSector(next)) fail(`the DIFAT chain ends after ${d} of ${difatCount} sectors`);
    if (next >= sectorCount) truncated((next + 2) * ssz);
    if (seen.has(next)) fail(`the DIFAT chain loops back to sector ${next}`);
    seen.add(next);
    const base = (next + 1) * ssz;
    for (let k = 0; k < ssz / 4 - 1; k++) take(u32(base + 4 * k), `DIFAT sector ${next}`);
    next = u32(base + ssz - 4);
  }
  if (next !== ENDOFCHAIN && next !== FREESECT) fail('the DIFAT chain does not end where the header says');
  if (fatSectors.length < fatCount) fail(`the DIFAT lists ${fatSectors.length} of ${fatCount} FAT sectors`);
  return fatSectors;
}

/**
 * Splits the FAT into chains. Every sector may continue at most one chain, so chains are disjoint
 * paths; a sector not reached from any chain head lies on a loop.
 */
function traceChains(fat: Uint32Array, sectorCount: number, fail: Fail): SectorChains {
  const incoming = new Uint8Array(sectorCount);
  for (let sector = 0; sector < sectorCount; sector++) {
    const next = fat[sector] ?? FREESECT;
    if (!isSector(next)) continue;
    if (incoming[next] === 1) fail(`two FAT chains continue into sector ${next}`);
    incoming[next] = 1;
  }
  const chainOf = new Int32Array(sectorCount).fill(-1);
  const position = new Int32Array(sectorCount);
  const lengths: number[] = [];
  for (let head = 0; head < sectorCount; head++) {
    if (incoming[head] === 1) continue;
    let length = 0;
    for (let sector = head; ;) {
      chainOf[sector] = lengths.length;
      position[sector] = length++;
      const next = fat[sector] ?? FREESECT;
      if (!isSector(next)) break;
      sector = next;
    }
    lengths.push(length);
  }
  const looped = chainOf.indexOf(-1);
  if (looped !== -1) fail(`the FAT chain through sector ${looped} loops back on itself`);
  return { chainOf, position, lengths, sectorCount };
}

/**
 * cfb discovers chains by starting a walk at every sector not yet seen, in index order from the
 * directory's first sector, and each walk runs to the end of its chain even through sectors seen
 * before; a chain stored backwards is walked once per sector. Count that work without doing it.
 */
function checkWalkCost(chains: SectorChains, dirStart: number, fail: Fail): void {
  const { chainOf, position, lengths, sectorCount } = chains;
  if (!isSector(dirStart) || dirStart >= sectorCount) fail(`the directory starts at sector ${dirStart}`);
  const walkedFrom = new Int32Array(lengths.length).fill(0x7fffffff);
  let cost = 0;
  for (let i = 0; i < sectorCount; i++) {
    const sector = (i + dirStart) % sectorCount;
    const chain = chainOf[sector] ?? 0;
    const at = position[sector] ?? 0;
    if (at >= (walkedFrom[chain] ?? 0)) continue;
    cost += (lengths[chain] ?? 0) - at;
    walkedFrom[chain] = at;
  }
  if (cost > WALK_BUDGET_PER_SECTOR * sectorCount + WALK_BUDGET_EXTRA) {
    fail(`sector chains are laid out backwards (${cost} sector visits to map ${sectorCount} sectors)`);
  }
}
