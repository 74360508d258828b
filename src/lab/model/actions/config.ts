/** XML config appSettings: read (to note a value) and write (honouring the read-only flag). */
import type { ActionContext, ActionSpec, Outcome } from './context.js';
import { bool, notFound, ok, psError, report, str } from './context.js';
import { getFile, putFile, textFile } from '../files.js';
import type { FileState } from '../state.js';
import {
  appendChild,
  attr,
  childrenNamed,
  documentXml,
  parseXml,
  setAttr,
  type XmlDoc,
  type XmlElement,
} from '../xml-lite.js';

function xmlOf(ctx: ActionContext, path: string): { file: FileState; doc: XmlDoc } | Outcome {
  const file = getFile(ctx.host, path);
  if (!file) return notFound(path);
  const doc = file.content === undefined ? undefined : parseXml(file.content);
  if (doc === undefined) {
    return psError(
      `Cannot convert value "System.Object[]" to type "System.Xml.XmlDocument". Error: "'${path}' is not an XML document."`,
      'InvalidArgument: (:) [], RuntimeException',
    );
  }
  return { file, doc };
}

function isOutcome(value: unknown): value is Outcome {
  return typeof value === 'object' && value !== null && 'exitCode' in value;
}

/** `/configuration/appSettings`, the first one. */
function appSettings(doc: XmlDoc): XmlElement | undefined {
  return doc.root.name === 'configuration' ? childrenNamed(doc.root, 'appSettings')[0] : undefined;
}

/** The script's AppSetting: the first `add` under appSettings whose key matches, case-insensitively. */
function setting(doc: XmlDoc, key: string): XmlElement | undefined {
  if (doc.root.name !== 'configuration') return undefined;
  return childrenNamed(doc.root, 'appSettings')
    .flatMap((s) => childrenNamed(s, 'add'))
    .find((n) => attr(n, 'key').toLowerCase() === key.toLowerCase());
}

/** What READ prints: whether the key is there and its value; a file that is not there has no key. */
function readNode(ctx: ActionContext): XmlElement | undefined | Outcome {
  const path = str(ctx, 'path');
  if (!getFile(ctx.host, path)) return undefined;
  const loaded = xmlOf(ctx, path);
  if (isOutcome(loaded)) return loaded;
  return setting(loaded.doc, str(ctx, 'key'));
}

function evidence(node: XmlElement | undefined): Record<string, string | boolean> {
  return node ? { exists: true, value: attr(node, 'value') } : { exists: false };
}

export const configReadLab: ActionSpec = {
  // Reading is a note, never pending: the value (or its absence) is the evidence.
  probe: (ctx) => {
    const node = readNode(ctx);
    if (isOutcome(node)) return node;
    return report(true, evidence(node));
  },
  // The probe printed the value; apply changes nothing.
  apply: () => ok(),
};

export const configWriteLab: ActionSpec = {
  probe: (ctx) => {
    const node = readNode(ctx);
    if (isOutcome(node)) return node;
    return report(node !== undefined && attr(node, 'value') === str(ctx, 'value'), evidence(node));
  },
  apply: (ctx) => {
    const path = str(ctx, 'path');
    if (!getFile(ctx.host, path))
      return psError(`the config file ${path} does not exist`, 'OperationStopped');
    const loaded = xmlOf(ctx, path);
    if (isOutcome(loaded)) return loaded;
    const key = str(ctx, 'key');
    let node = setting(loaded.doc, key);
    if (!node && ctx.header.params.mustExist === true) {
      const have = (appSettings(loaded.doc)?.children ?? [])
        .filter((n): n is XmlElement => 'name' in n && n.name === 'add')
        .map((n) => attr(n, 'key'));
      return psError(
        `${path} has no appSettings key ${key}; the keys it has: ${have.join(', ')}. Name the right ones in the inventory`,
        'OperationStopped: (:) [], RuntimeException',
      );
    }
    if (!node) {
      const parent = appSettings(loaded.doc);
      if (!parent)
        return psError(
          `${path} has no /configuration/appSettings element to add ${key} to`,
          'OperationStopped',
        );
      node = { name: 'add', attrs: [['key', key]], children: [], empty: true };
      appendChild(parent, node);
    }
    setAttr(node, 'value', str(ctx, 'value'));
    if (loaded.file.readOnly && !bool(ctx, 'clearReadOnly'))
      return psError(`${path} is read-only`, 'OperationStopped');
    // Clearing the flag is what the KB asks; it stays cleared, as after the manual edit.
    putFile(ctx.host, path, textFile(documentXml(loaded.doc)));
    return ok();
  },
};
