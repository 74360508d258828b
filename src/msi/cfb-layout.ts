/**
 * Writing the compound file with the `cfb` package, deterministically and to a predictable size.
 * cfb's writer lays out header, DIFAT, FAT, MiniFAT, directory, big streams and mini stream in
 * that order with no free sectors, so its output size is a function of the stream lengths alone;
 * {@link containerBytes} is that function (mirroring cfb 1.2.2's `_write`), which lets the MSI
 * writer pick a padding length without trial writes. It writes no timestamps; the only thing
 * that would differ between runs is the 4-byte `\u0001Sh33tJ5` marker stream cfb adds to every
 * file, which {@link writeContainer} suppresses.
 */
import CFB from 'cfb';

type Container = ReturnType<typeof CFB.utils.cfb_new>;
type Entry = Container['FileIndex'][number];

/** CLSID_MsiDatabase {000C1084-0000-0000-C000-000000000046}, in on-disk byte order. */
const MSI_DATABASE_CLSID = '84100c0000000000c000000000000046';
const ROOT = 'Root Entry/';
const CFB_MARKER = '\u0001Sh33tJ5';
const MINI_CUTOFF = 0x1000;

/** The size of the file cfb writes for root-level streams of these lengths. */
export function containerBytes(lengths: readonly number[]): number {
  let mini = 0;
  let big = 0;
  for (const length of lengths) {
    if (length === 0) continue;
    if (length < MINI_CUTOFF) mini += (length + 0x3f) >> 6;
    else big += (length + 0x1ff) >> 9;
  }
  const directory = (lengths.length + 1 + 3) >> 2;
  const miniFat = (mini + 0x7f) >> 7;
  const base = ((mini + 7) >> 3) + big + directory + miniFat;
  const difatFor = (fat: number): number => (fat <= 109 ? 0 : Math.ceil((fat - 109) / 0x7f));
  let fat = (base + 0x7f) >> 7;
  let difat = difatFor(fat);
  while ((base + fat + difat + 0x7f) >> 7 > fat) difat = difatFor(++fat);
  return (1 + difat + fat + base) * 512;
}

const entry = (name: string, type: number, content: Buffer, clsid = ''): Entry => ({
  name,
  type,
  content,
  size: content.length,
  color: 1,
  clsid,
  state: 0,
  start: 0,
});

/** A version-3 compound file holding `streams` at the root, marked as an MSI database. */
export function writeContainer(streams: ReadonlyArray<readonly [string, Buffer]>): Buffer {
  // A type-0 placeholder under cfb's marker name satisfies its "add the marker" check, and its
  // rebuild then drops type-0 entries, so the marker never reaches the file.
  const container: Container = {
    FullPaths: [ROOT, ...streams.map(([name]) => ROOT + name), ROOT + CFB_MARKER],
    FileIndex: [
      entry('Root Entry', 5, Buffer.alloc(0), MSI_DATABASE_CLSID),
      ...streams.map(([name, content]) => entry(name, 2, content)),
      entry(CFB_MARKER, 0, Buffer.alloc(0)),
    ],
  };
  const out: unknown = CFB.write(container, { type: 'buffer' });
  if (!Buffer.isBuffer(out)) throw new Error('cfb.write did not return a Buffer');
  return out;
}
