/** A parsed element: name without namespace prefix, attributes, children and its own text. */
export interface XmlNode {
  name: string;
  attrs: Record<string, string>;
  children: XmlNode[];
  text: string;
  line: number;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

export function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, body: string) => {
    if (body.startsWith('#x') || body.startsWith('#X')) return safeCodePoint(parseInt(body.slice(2), 16)) ?? whole;
    if (body.startsWith('#')) return safeCodePoint(parseInt(body.slice(1), 10)) ?? whole;
    return ENTITIES[body.toLowerCase()] ?? whole;
  });
}

function safeCodePoint(n: number): string | undefined {
  return Number.isInteger(n) && n >= 0 && n <= 0x10ffff ? String.fromCodePoint(n) : undefined;
}

/**
 * A small tolerant markup reader for statement files: XML (CAMT.053, OFX 2.x) and SGML (OFX 1.x, where
 * leaf elements such as `<TRNAMT>-12.34` have no closing tag). An element holding text that meets another
 * opening tag is closed implicitly; a closing tag closes everything opened since its match; a stray
 * closing tag is ignored. It never throws; it knows nothing of DTDs and needs no DOM.
 */
export function parseMarkup(text: string, lineOf: (offset: number) => number): XmlNode {
  const root: XmlNode = { name: '#root', attrs: {}, children: [], text: '', line: 1 };
  const stack: XmlNode[] = [root];
  const top = (): XmlNode => stack[stack.length - 1] ?? root;
  const tag = /<!\[CDATA\[([\s\S]*?)\]\]>|<!--[\s\S]*?-->|<[?!][^>]*>|<\/\s*([^\s>]+)\s*>|<([A-Za-z_][^\s/>]*)([^>]*?)(\/?)>/g;
  let last = 0;
  let m: RegExpExecArray | null;
  const addText = (raw: string): void => {
    const node = top();
    if (node !== root) node.text += raw;
  };
  while ((m = tag.exec(text)) !== null) {
    addText(decodeEntities(text.slice(last, m.index)));
    last = tag.lastIndex;
    if (m[1] !== undefined) {
      addText(m[1]);
    } else if (m[2] !== undefined) {
      const name = localName(m[2]);
      const at = stack.map((n) => n.name).lastIndexOf(name);
      if (at > 0) stack.length = at;
    } else if (m[3] !== undefined) {
      const parent = top();
      if (parent !== root && parent.children.length === 0 && parent.text.trim() !== '') stack.pop();
      const node: XmlNode = { name: localName(m[3]), attrs: readAttrs(m[4] ?? ''), children: [], text: '', line: lineOf(m.index) };
      top().children.push(node);
      if (m[5] !== '/') stack.push(node);
    }
  }
  addText(decodeEntities(text.slice(last)));
  return root;
}

function localName(name: string): string {
  const i = name.indexOf(':');
  return (i === -1 ? name : name.slice(i + 1)).toUpperCase();
}

function readAttrs(raw: string): Record<string, string> {
  const attrs: Record<string, string> = {};
  for (const a of raw.matchAll(/([^\s=]+)\s*=\s*("([^"]*)"|'([^']*)')/g)) {
    attrs[localName(a[1] ?? '')] = decodeEntities(a[3] ?? a[4] ?? '');
  }
  return attrs;
}

/** Every descendant with the name, depth first. */
export function findAll(node: XmlNode, name: string, out: XmlNode[] = []): XmlNode[] {
  for (const child of node.children) {
    if (child.name === name) out.push(child);
    findAll(child, name, out);
  }
  return out;
}

/** The first descendant along a path of names, e.g. `child(n, 'BOOKGDT', 'DT')`. */
export function child(node: XmlNode | undefined, ...path: string[]): XmlNode | undefined {
  let current = node;
  for (const name of path) {
    if (!current) return undefined;
    current = current.children.find((c) => c.name === name) ?? findAll(current, name)[0];
  }
  return current;
}

export function textOf(node: XmlNode | undefined): string {
  return (node?.text ?? '').trim();
}
