/**
 * Just enough of XmlDocument for the lab's .NET config files: elements, attributes, text,
 * comments, read and written back as `OuterXml` writes them with whitespace preserved (an
 * element read as `<x />` or created without children stays `<x />`; attribute values quoted
 * with `"`). What the scripts do to a config through XmlDocument, the model does through this,
 * so both leave the same bytes.
 */

export interface XmlElement {
  name: string;
  attrs: [string, string][];
  children: XmlNode[];
  /** Written as `<name />` while it has no children. */
  empty: boolean;
}

export type XmlNode = XmlElement | { raw: string };

export interface XmlDoc {
  /** What precedes and follows the document element (declaration, comments, whitespace), verbatim. */
  before: string;
  root: XmlElement;
  after: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function decode(text: string): string {
  return text.replace(/&(amp|lt|gt|quot|apos|#x[0-9a-fA-F]+|#\d+);/g, (whole, name: string) => {
    if (name.startsWith('#x')) return String.fromCodePoint(Number.parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number.parseInt(name.slice(1), 10));
    return ENTITIES[name] ?? whole;
  });
}

function encodeAttr(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Parses `text`; undefined when it is not a document this reader understands. */
export function parseXml(text: string): XmlDoc | undefined {
  let at = 0;
  const fail = (): undefined => undefined;
  const element = (): XmlElement | undefined => {
    const open = /^<([A-Za-z_][\w.:-]*)/.exec(text.slice(at));
    if (!open?.[1]) return fail();
    at += open[0].length;
    const el: XmlElement = { name: open[1], attrs: [], children: [], empty: false };
    for (;;) {
      const attr = /^\s+([A-Za-z_][\w.:-]*)\s*=\s*("([^"]*)"|'([^']*)')/.exec(text.slice(at));
      if (!attr?.[1]) break;
      el.attrs.push([attr[1], decode(attr[3] ?? attr[4] ?? '')]);
      at += attr[0].length;
    }
    const end = /^\s*(\/?)>/.exec(text.slice(at));
    if (!end) return fail();
    at += end[0].length;
    if (end[1] === '/') {
      el.empty = true;
      return el;
    }
    for (;;) {
      if (text.startsWith(`</${el.name}`, at)) {
        const close = /^<\/[^>]*>/.exec(text.slice(at));
        if (!close) return fail();
        at += close[0].length;
        return el;
      }
      if (at >= text.length) return fail();
      const special = /^(<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>)/.exec(text.slice(at));
      if (special?.[1]) {
        el.children.push({ raw: special[1] });
        at += special[1].length;
      } else if (text[at] === '<') {
        const child = element();
        if (!child) return fail();
        el.children.push(child);
      } else {
        const next = text.indexOf('<', at);
        const end2 = next < 0 ? text.length : next;
        el.children.push({ raw: text.slice(at, end2) });
        at = end2;
      }
    }
  };
  const start = /<[A-Za-z_]/.exec(text);
  if (!start) return undefined;
  // Skip what comes before the document element only when it is a declaration, comments or whitespace.
  const before = text.slice(0, start.index);
  if (!/^(\s|<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE[^>]*>)*$/.test(before)) return undefined;
  at = start.index;
  const root = element();
  if (!root) return undefined;
  return { before, root, after: text.slice(at) };
}

export function isElement(node: XmlNode): node is XmlElement {
  return 'name' in node;
}

export function attr(el: XmlElement, name: string): string {
  return el.attrs.find(([n]) => n === name)?.[1] ?? '';
}

/** XmlElement.SetAttribute: replaces the value in place, or appends the attribute. */
export function setAttr(el: XmlElement, name: string, value: string): void {
  const have = el.attrs.find(([n]) => n === name);
  if (have) have[1] = value;
  else el.attrs.push([name, value]);
}

/** The element children named `name` (case-sensitive, as XPath is). */
export function childrenNamed(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c): c is XmlElement => isElement(c) && c.name === name);
}

export function appendChild(parent: XmlElement, child: XmlElement): void {
  parent.children.push(child);
  parent.empty = false;
}

export function outerXml(node: XmlNode): string {
  if (!isElement(node)) return node.raw;
  const attrs = node.attrs.map(([n, v]) => ` ${n}="${encodeAttr(v)}"`).join('');
  if (node.children.length === 0 && node.empty) return `<${node.name}${attrs} />`;
  return `<${node.name}${attrs}>${node.children.map(outerXml).join('')}</${node.name}>`;
}

export function documentXml(doc: XmlDoc): string {
  return `${doc.before}${outerXml(doc.root)}${doc.after}`;
}
