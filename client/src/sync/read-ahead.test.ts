import { describe, expect, it } from 'vitest';
import { ReadAhead } from './read-ahead.ts';

/** A reader that answers "fresh 1", "fresh 2", … so each fresh read is told apart from the read-ahead page. */
function freshReads(): () => Promise<string> {
  let reads = 0;
  return () => Promise.resolve(`fresh ${++reads}`);
}

describe('ReadAhead (the pull handler asks for the next page while RxDB stores this one)', () => {
  it('hands out the page read ahead for the same checkpoint and limit, once', async () => {
    const ahead = new ReadAhead<string>();
    const read = freshReads();
    ahead.offer({ seq: 5, id: 'a' }, 100, Promise.resolve('ahead'));
    expect(await ahead.take({ seq: 5, id: 'a' }, 100, read)).toBe('ahead');
    expect(await ahead.take({ seq: 5, id: 'a' }, 100, read)).toBe('fresh 1');
  });

  it('reads afresh for another checkpoint or limit, and drops what it held', async () => {
    const ahead = new ReadAhead<string>();
    const read = freshReads();
    ahead.offer({ seq: 5, id: 'a' }, 100, Promise.resolve('ahead'));
    expect(await ahead.take({ seq: 4, id: 'a' }, 100, read)).toBe('fresh 1');
    ahead.offer({ seq: 5, id: 'a' }, 100, Promise.resolve('ahead'));
    expect(await ahead.take({ seq: 5, id: 'a' }, 50, read)).toBe('fresh 2');
    ahead.offer(null, 100, Promise.resolve('ahead'));
    ahead.clear();
    expect(await ahead.take(null, 100, read)).toBe('fresh 3');
  });

  it('a failed read-ahead fails the handler that takes it, and is not an unhandled rejection before that', async () => {
    const ahead = new ReadAhead<string>();
    ahead.offer(null, 10, Promise.reject(new Error('server went away')));
    await new Promise((r) => setTimeout(r, 10));
    await expect(ahead.take(null, 10, () => Promise.resolve('fresh'))).rejects.toThrow('server went away');
  });
});
