/**
 * Splits a plain-SQL dump (pg_dump's output, or ours) into statements as it streams in: one statement in
 * memory at a time. Knows what pg_dump writes: `--` comments, '…' and E'…' strings, "…" identifiers,
 * $tag$…$tag$ bodies and block comments. A psql meta-command line between statements (`\restrict`,
 * `\connect`) is reported as such, for the caller to refuse or skip. Tokens never span a line, so the
 * stream is cut into lines (on LF only: a CR inside a string stays in it) and each line is scanned.
 */
export type ScriptItem = { kind: 'statement'; text: string } | { kind: 'meta'; text: string };

type State = 'code' | 'single' | 'estring' | 'double' | 'dollar' | 'block-comment';

export async function* linesOf(chunks: AsyncIterable<string | Buffer>): AsyncGenerator<string> {
  let rest = '';
  for await (const raw of chunks) {
    rest += typeof raw === 'string' ? raw : raw.toString('utf8');
    let at = rest.indexOf('\n');
    let from = 0;
    while (at >= 0) {
      yield rest.slice(from, at);
      from = at + 1;
      at = rest.indexOf('\n', from);
    }
    rest = rest.slice(from);
  }
  if (rest) yield rest;
}

const WORD = /[A-Za-z0-9_]/;

export async function* splitSql(chunks: AsyncIterable<string | Buffer>): AsyncGenerator<ScriptItem> {
  let state: State = 'code';
  let tag = '';
  let depth = 0;
  let current = '';
  for await (const line of linesOf(chunks)) {
    if (state === 'code' && current.trim() === '' && line.startsWith('\\')) {
      current = '';
      yield { kind: 'meta', text: line.trim() };
      continue;
    }
    let i = 0;
    const n = line.length;
    while (i < n) {
      const c = line[i]!;
      if (state === 'code') {
        if (c === '-' && line[i + 1] === '-') break;
        if (c === '/' && line[i + 1] === '*') {
          state = 'block-comment';
          depth = 1;
          i += 2;
          continue;
        }
        if ((c === 'E' || c === 'e') && line[i + 1] === "'" && !WORD.test(line[i - 1] ?? ' ')) {
          state = 'estring';
          current += line.slice(i, i + 2);
          i += 2;
          continue;
        }
        if (c === '$' && !WORD.test(line[i - 1] ?? ' ')) {
          const m = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(line.slice(i));
          if (m) {
            state = 'dollar';
            tag = m[0];
            current += tag;
            i += tag.length;
            continue;
          }
        }
        if (c === ';') {
          const text = current.trim();
          current = '';
          i++;
          if (text) yield { kind: 'statement', text };
          continue;
        }
        if (c === "'") state = 'single';
        else if (c === '"') state = 'double';
        current += c;
        i++;
        continue;
      }
      if (state === 'block-comment') {
        if (c === '*' && line[i + 1] === '/') {
          depth--;
          i += 2;
          if (depth === 0) {
            state = 'code';
            current += ' ';
          }
        } else if (c === '/' && line[i + 1] === '*') {
          depth++;
          i += 2;
        } else i++;
        continue;
      }
      if (state === 'single' || state === 'double') {
        const quote = state === 'single' ? "'" : '"';
        const end = line.indexOf(quote, i);
        if (end < 0) {
          current += line.slice(i);
          i = n;
          continue;
        }
        current += line.slice(i, end + 1);
        i = end + 1;
        if (line[i] === quote) {
          current += quote;
          i++;
        } else state = 'code';
        continue;
      }
      if (state === 'estring') {
        if (c === '\\') {
          current += line.slice(i, i + 2);
          i += 2;
          continue;
        }
        current += c;
        i++;
        if (c === "'") {
          if (line[i] === "'") {
            current += "'";
            i++;
          } else state = 'code';
        }
        continue;
      }
      // dollar-quoted body
      const end = line.indexOf(tag, i);
      if (end < 0) {
        current += line.slice(i);
        i = n;
        continue;
      }
      current += line.slice(i, end + tag.length);
      i = end + tag.length;
      state = 'code';
    }
    if (current !== '' || state !== 'code') current += '\n';
  }
  if (state !== 'code') throw new Error('the SQL ends inside a string, identifier or comment: the dump is incomplete');
  if (current.trim()) throw new Error('the SQL ends with an unterminated statement: the dump is incomplete');
}
