/**
 * `config.merge` on the lab's text configs, as the script does it through XmlDocument:
 * appSettings `add` entries by key and connectionStrings `add` entries by name are carried into
 * the new file (every attribute of the old entry); other top-level sections are compared and
 * named, never copied.
 */
import type { ActionContext, ActionSpec, Outcome } from './context.js';
import { ok, psError, report, str } from './context.js';
import { getFile, putFile, textFile } from '../files.js';
import {
  appendChild,
  attr,
  childrenNamed,
  documentXml,
  isElement,
  outerXml,
  parseXml,
  setAttr,
  type XmlDoc,
  type XmlElement,
} from '../xml-lite.js';

const SECTIONS = [
  ['appSettings', 'key', 'value'],
  ['connectionStrings', 'name', 'connectionString'],
] as const;

/** The `add` entries of one section, in document order (`/configuration/<section>/add`). */
function entries(doc: XmlDoc, section: string): XmlElement[] {
  if (doc.root.name !== 'configuration') return [];
  return childrenNamed(doc.root, section).flatMap((s) => childrenNamed(s, 'add'));
}

/** Looks an entry up as the script's hashtable does: by its attribute, case-insensitively, the last one winning. */
function find(list: XmlElement[], by: string, key: string): XmlElement | undefined {
  return list.filter((e) => attr(e, by).toLowerCase() === key.toLowerCase()).pop();
}

function load(ctx: ActionContext, path: string): XmlDoc | Outcome | undefined {
  const file = getFile(ctx.host, path);
  if (!file) return undefined;
  const doc = file.content === undefined ? undefined : parseXml(file.content);
  return doc ?? psError(`'${path}' is not an XML document.`, 'InvalidArgument: (:) [], RuntimeException');
}

const isOutcome = (v: unknown): v is Outcome => typeof v === 'object' && v !== null && 'exitCode' in v;

interface Read {
  src?: XmlDoc;
  dst?: XmlDoc;
  differs: string[];
  notCarried: string[];
  evidence: Record<string, string | boolean>;
}

function read(ctx: ActionContext): Read | Outcome {
  const src = load(ctx, str(ctx, 'source'));
  if (isOutcome(src)) return src;
  const dst = src === undefined ? undefined : load(ctx, str(ctx, 'dest'));
  if (isOutcome(dst)) return dst;
  const differs: string[] = [];
  const notCarried: string[] = [];
  if (src) {
    for (const [section, by, value] of SECTIONS) {
      const ours = dst ? entries(dst, section) : [];
      for (const theirs of entries(src, section)) {
        const k = attr(theirs, by);
        const mate = find(ours, by, k);
        if (!mate || attr(mate, value) !== attr(theirs, value)) differs.push(`${section}:${k}`);
      }
    }
    for (const e of src.root.children) {
      if (!isElement(e) || e.name === 'appSettings' || e.name === 'connectionStrings') continue;
      const mate = dst ? childrenNamed(dst.root, e.name)[0] : undefined;
      if (!mate || outerXml(mate).toLowerCase() !== outerXml(e).toLowerCase()) notCarried.push(e.name);
    }
  }
  return {
    ...(src ? { src } : {}),
    ...(dst ? { dst } : {}),
    differs,
    notCarried,
    evidence: {
      sourceExists: getFile(ctx.host, str(ctx, 'source')) !== undefined,
      destExists: getFile(ctx.host, str(ctx, 'dest')) !== undefined,
      differs: differs.join(','),
      notCarried: notCarried.join(','),
    },
  };
}

export const configMergeLab: ActionSpec = {
  probe: (ctx) => {
    const r = read(ctx);
    if (isOutcome(r)) return r;
    return report(!r.src || r.differs.length === 0, r.evidence);
  },
  apply: (ctx) => {
    const r = read(ctx);
    if (isOutcome(r)) return r;
    const dest = str(ctx, 'dest');
    if (!r.src) return ok([`no backup at ${str(ctx, 'source')}: ${dest} keeps its shipped values`]);
    if (!r.dst)
      return psError(
        `there is no ${dest} to carry the settings into; install the product first`,
        'OperationStopped',
      );
    for (const [section, by] of SECTIONS) {
      const theirs = entries(r.src, section);
      if (theirs.length === 0) continue;
      let parent = childrenNamed(r.dst.root, section)[0];
      if (!parent) {
        parent = { name: section, attrs: [], children: [], empty: true };
        appendChild(r.dst.root, parent);
      }
      for (const entry of theirs) {
        const k = attr(entry, by);
        let node = find(entries(r.dst, section), by, k);
        if (!node) {
          node = { name: 'add', attrs: [[by, k]], children: [], empty: true };
          appendChild(parent, node);
        }
        for (const [name, value] of entry.attrs) setAttr(node, name, value);
      }
    }
    // The script clears the read-only flag before it saves.
    putFile(ctx.host, dest, textFile(documentXml(r.dst)));
    const stdout =
      r.notCarried.length > 0
        ? [`not carried over (they differ; compare by hand): ${r.notCarried.join(', ')}`]
        : [];
    return ok(stdout);
  },
};
