/**
 * The MSI reader and writer against msitools: packages built by wixl read back exactly as
 * `msiinfo export` prints them, and packages we write (at exact sizes) are read by msiinfo as
 * the Property table and summary we asked for.
 */
import { afterAll, describe, expect, test } from '@jest/globals';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { msiIdentity, readMsi } from '../../src/msi/read-msi.js';
import { decodeStreamName, encodeStreamName } from '../../src/msi/stream-name.js';
import { writeMsi } from '../../src/msi/write-msi.js';
import {
  cpuMsSince,
  cpuNow,
  SPEC,
  msiinfo,
  msiinfoProperties,
  oracleTest,
  tempDir,
  wixlMsi,
} from './helpers.js';

const { dir, cleanup } = tempDir();
afterAll(cleanup);

describe('stream names', () => {
  test('table names pack two characters per unit behind U+4840, as msi.dll stores them', () => {
    expect(encodeStreamName('_StringPool', true)).toBe('\u4840\u3f3f\u4577\u446c\u3e6a\u44b2\u482f');
    expect(decodeStreamName('\u4840\u3f3f\u4577\u446c\u3b6a\u45e4\u4824')).toEqual({
      name: '_StringData',
      isTable: true,
    });
    for (const name of [
      'Property',
      'Binary.Padding',
      'A',
      'x.y_z9',
      'Name with spaces',
      '\u0005SummaryInformation',
    ]) {
      expect(decodeStreamName(encodeStreamName(name, false))).toEqual({ name, isTable: false });
      expect(decodeStreamName(encodeStreamName(name, true))).toEqual({ name, isTable: true });
    }
    expect(() => encodeStreamName('x'.repeat(63), true)).toThrow(RangeError);
  });
});

describe('reading packages built by wixl', () => {
  oracleTest('identity and every property match msiinfo export', async () => {
    const file = await wixlMsi(dir, 'plain', { ROLLUP: 'UR6' });
    const db = readMsi(readFileSync(file), 'plain.msi');
    const expected = await msiinfoProperties(file);
    expect({ ...db.properties }).toEqual(expected);
    expect(msiIdentity(db, 'plain.msi')).toEqual({
      productCode: expected['ProductCode'],
      productVersion: '4.5.602.6',
      productName: 'HMC Rollup & Test',
      upgradeCode: expected['UpgradeCode'],
      manufacturer: 'Contoso Ltd',
    });
    const suminfo = await msiinfo('suminfo', file);
    expect(suminfo).toContain(`Revision number (UUID): ${db.summary.revisionNumber ?? 'missing'}`);
    expect(db.summary).toMatchObject({ author: 'Contoso Ltd', comments: 'fixture', template: 'Intel;1033' });
  });

  oracleTest('a 70000-byte value (a two-entry pool slot) and 400 properties match msiinfo', async () => {
    const extra: Record<string, string> = { LONGVALUE: 'L'.repeat(70_000) + '<end>' };
    for (let n = 0; n < 400; n++) extra[`PROP${n}`] = `value ${n % 37} & more`;
    const file = await wixlMsi(dir, 'big', extra);
    const db = readMsi(readFileSync(file), 'big.msi');
    expect({ ...db.properties }).toEqual(await msiinfoProperties(file));
    expect(db.properties['LONGVALUE']).toHaveLength(70_005);
    expect(Object.keys(db.properties).length).toBeGreaterThan(400);
  });
});

describe('writing packages', () => {
  oracleTest.each([253952, 412672, 790528, 61440])(
    '%i bytes exactly, read by msiinfo and by readMsi',
    async (size) => {
      const bytes = writeMsi({ ...SPEC, size });
      expect(bytes.length).toBe(size);
      const file = join(dir, `written-${size}.msi`);
      writeFileSync(file, bytes);
      expect(await msiinfoProperties(file)).toEqual(SPEC.properties);
      const suminfo = await msiinfo('suminfo', file);
      expect(suminfo).toContain(`Revision number (UUID): ${SPEC.summary.revisionNumber}`);
      expect(suminfo).toContain('Template: x64;1033');
      expect((await msiinfo('tables', file)).split('\n')).toEqual(
        expect.arrayContaining(['Property', 'Binary']),
      );
      const db = readMsi(bytes, file);
      expect({ ...db.properties }).toEqual(SPEC.properties);
      expect(db.summary).toMatchObject({ ...SPEC.summary, codepage: 1252, pageCount: 200, wordCount: 2 });
    },
  );

  oracleTest('text outside Windows-1252 makes a UTF-8 (65001) database both sides agree on', async () => {
    const spec = { ...SPEC, properties: { ...SPEC.properties, ProductName: 'Rollup Ω 製品 – ünïcode' } };
    const file = join(dir, 'utf8.msi');
    writeFileSync(file, writeMsi(spec));
    expect(await msiinfoProperties(file)).toEqual(spec.properties);
    const db = readMsi(readFileSync(file), file);
    expect(db.codepage).toBe(65001);
    expect(msiIdentity(db, file).productName).toBe('Rollup Ω 製品 – ünïcode');
  });

  test('the same spec gives the same bytes; a different package code different ones', () => {
    expect(writeMsi(SPEC).equals(writeMsi(SPEC))).toBe(true);
    expect(writeMsi({ ...SPEC, size: 412672 }).equals(writeMsi({ ...SPEC, size: 412672 }))).toBe(true);
    const other = {
      ...SPEC,
      summary: { ...SPEC.summary, revisionNumber: '{00000000-0000-4000-8000-000000000000}' },
    };
    expect(writeMsi(other).equals(writeMsi(SPEC))).toBe(false);
  });

  test('the root entry carries the MSI database CLSID', () => {
    const bytes = writeMsi(SPEC);
    const clsid = Buffer.from('84100c0000000000c000000000000046', 'hex');
    expect(bytes.indexOf(clsid)).toBeGreaterThan(512);
  });

  test('sizes it cannot hit exactly are RangeErrors', () => {
    expect(() => writeMsi({ ...SPEC, size: 4096 })).toThrow(RangeError);
    expect(() => writeMsi({ ...SPEC, size: 300001 })).toThrow(RangeError);
    // 130 sectors after the header: one more than a full FAT sector maps, one less than two need.
    expect(() => writeMsi({ ...SPEC, size: (128 * 2 + 2) * 512 })).toThrow(/cannot pad/);
    expect(() => writeMsi({ ...SPEC, properties: { Empty: '' } })).toThrow(RangeError);
  });

  test('an 800 KB package takes well under 50 ms of CPU', () => {
    writeMsi({ ...SPEC, size: 790528 });
    const times = [0, 1, 2, 3, 4].map(() => {
      const start = cpuNow();
      writeMsi({ ...SPEC, size: 790528 });
      return cpuMsSince(start);
    });
    const median = times.sort((a, b) => a - b)[2] ?? Infinity;
    expect(median).toBeLessThan(50);
  });
});
