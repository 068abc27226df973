import { describe, expect, it } from 'vitest';
import { hintFrom, openEventStream, SseParser } from './event-stream.ts';
import type { Transport } from './transport.ts';

describe('event stream', () => {
  it('parses frames split anywhere, ignores comments, and maps RESYNC and changed hints', () => {
    const p = new SseParser();
    const text = 'retry: 5000\n\ndata: RESYNC\n\n: keep-alive\n\nevent: changed\ndata: {"collections":["transactions","budgets"]}\r\n\r\n';
    const events = [...text].flatMap((ch) => p.push(ch));
    expect(events.map(hintFrom)).toEqual([{ type: 'resync' }, { type: 'changed', collections: ['transactions', 'budgets'] }]);
  });

  it('reconnects after the connection drops and stops on close', async () => {
    let connects = 0;
    const transport: Transport = {
      pull: () => Promise.reject(new Error('unused')),
      push: () => Promise.reject(new Error('unused')),
      async authorisedGet() {
        connects++;
        return new Response(new ReadableStream({ start(c) { c.enqueue(new TextEncoder().encode('data: RESYNC\n\n')); c.close(); } }), { status: 200 });
      },
    };
    const hints: string[] = [];
    const stream = openEventStream({ transport, onHint: (h) => hints.push(h.type), backoff: { initialMs: 5, maxMs: 10 } });
    while (connects < 3) await new Promise((r) => setTimeout(r, 5));
    stream.close();
    await stream.closed;
    expect(hints.length).toBeGreaterThanOrEqual(3);
    expect(new Set(hints)).toEqual(new Set(['resync']));
  });
});
