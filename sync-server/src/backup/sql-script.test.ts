import { describe, expect, it } from 'vitest';
import { splitSql } from './sql-script.ts';
import { Portable, PortableBytes } from './dump.ts';

async function split(text: string, chunk = 7): Promise<{ kind: string; text: string }[]> {
  async function* pieces() {
    for (let i = 0; i < text.length; i += chunk) yield text.slice(i, i + chunk);
  }
  const out = [];
  for await (const item of splitSql(pieces())) out.push(item);
  return out;
}

describe('splitting a SQL dump into statements as it streams', () => {
  it('keeps semicolons inside strings, E-strings, quoted names, dollar bodies and comments; skips comments', async () => {
    const sql = [
      '-- a comment; not a statement',
      'SET statement_timeout = 0;',
      "INSERT INTO public.t VALUES ('a;b', 'it''s; fine', E'back\\\\slash\\'; quote', '{\"k\": \"v;\"}');",
      'CREATE FUNCTION public.f() RETURNS int LANGUAGE plpgsql AS $_$',
      'BEGIN',
      "  RAISE NOTICE 'x;';  -- inside the body",
      '  RETURN 1;',
      'END',
      '$_$;',
      'CREATE TABLE "we;ird" (id int); /* block; comment */ SELECT 1;',
      "INSERT INTO public.t VALUES ('line one",
      "line two; still the value');",
      '\\restrict abc123',
      'SELECT $$dollar; body$$;',
    ].join('\n');
    for (const chunk of [1, 3, 7, 1000]) {
      const items = await split(sql, chunk);
      expect(items.map((i) => i.kind)).toEqual(['statement', 'statement', 'statement', 'statement', 'statement', 'statement', 'meta', 'statement']);
      expect(items[1]!.text).toBe("INSERT INTO public.t VALUES ('a;b', 'it''s; fine', E'back\\\\slash\\'; quote', '{\"k\": \"v;\"}')");
      expect(items[2]!.text).toContain("RAISE NOTICE 'x;';");
      expect(items[2]!.text.endsWith('$_$')).toBe(true);
      expect(items[3]!.text).toBe('CREATE TABLE "we;ird" (id int)');
      expect(items[5]!.text).toBe("INSERT INTO public.t VALUES ('line one\nline two; still the value')");
      expect(items[6]).toEqual({ kind: 'meta', text: '\\restrict abc123' });
      expect(items[7]!.text).toBe('SELECT $$dollar; body$$');
    }
  });

  it('a dump cut off mid-statement or mid-string is refused as incomplete', async () => {
    await expect(split("INSERT INTO t VALUES ('unterminated")).rejects.toThrow(/incomplete/);
    await expect(split('INSERT INTO t VALUES (1)')).rejects.toThrow(/incomplete/);
    await expect(split('SELECT $$ body never closed')).rejects.toThrow(/incomplete/);
  });
});

describe('making pg_dump output portable to PostgreSQL 15 and another owner', () => {
  it('drops unknown settings and psql guards, names CURRENT_USER in owner policies, forces RLS after the data', () => {
    const p = new Portable();
    expect(p.line('SET transaction_timeout = 0;')).toBeNull();
    expect(p.line('\\restrict Zx9')).toBeNull();
    expect(p.line('\\unrestrict Zx9')).toBeNull();
    expect(p.line('ALTER TABLE ONLY public.accounts FORCE ROW LEVEL SECURITY;')).toBeNull();
    expect(p.line('CREATE POLICY accounts_owner ON public.accounts TO postgres USING (true) WITH CHECK (true);')).toBe(
      'CREATE POLICY accounts_owner ON public.accounts TO CURRENT_USER USING (true) WITH CHECK (true);',
    );
    const own = 'CREATE POLICY accounts_own ON public.accounts TO mymidas_app USING ((user_id = public.app_user_id()));';
    expect(p.line(own)).toBe(own);
    expect(p.line('SET statement_timeout = 0;')).toBe('SET statement_timeout = 0;');
    expect(p.end()).toContain('ALTER TABLE ONLY public.accounts FORCE ROW LEVEL SECURITY;');
  });

  it('filters the bytes of pg_dump as they stream, wherever the chunks are cut, passing other lines through untouched', () => {
    const blob = `'\\x${'ab'.repeat(5000)}'`;
    const dump = [
      '\\restrict Zx9',
      'SET transaction_timeout = 0;',
      'SET statement_timeout = 0;',
      'CREATE TABLE public.accounts (id text);',
      'ALTER TABLE ONLY public.accounts FORCE ROW LEVEL SECURITY;',
      `INSERT INTO public.attachments VALUES ('é', ${blob});`,
      'SET', // shorter than any prefix it shares a start with
      'CREATE POLICY accounts_owner ON public.accounts TO postgres USING (true) WITH CHECK (true);',
      '\\unrestrict Zx9',
      'SELECT 1;',
    ].join('\n');
    const expected = (() => {
      const p = new Portable();
      const kept = dump.split('\n').map((l) => p.line(l)).filter((l) => l !== null);
      return `${kept.join('\n')}${p.end()}`;
    })();
    const bytes = Buffer.from(dump);
    for (const size of [1, 2, 5, 23, 64, 4096, bytes.length]) {
      const f = new PortableBytes(new Portable());
      const out: Buffer[] = [];
      for (let i = 0; i < bytes.length; i += size) out.push(...f.push(bytes.subarray(i, i + size)));
      out.push(...f.end());
      expect(Buffer.concat(out).toString('utf8'), `chunks of ${size}`).toBe(expected);
    }
    // A long INSERT line passes as slices of its chunks: nothing held, nothing copied.
    const f = new PortableBytes(new Portable());
    const chunk = Buffer.from(`INSERT INTO t VALUES (${blob});\nINSERT`);
    const [piece] = f.push(chunk);
    expect(piece!.buffer).toBe(chunk.buffer);
  });
});
