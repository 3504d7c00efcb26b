import { describe, expect, it } from 'vitest';
import { readServerSentEvents } from '../../src/sdk/readServerSentEvents.js';

const stream = (...chunks: string[]) => new ReadableStream<Uint8Array>({
  start(controller) {
    for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
    controller.close();
  },
});

async function read(...chunks: string[]) {
  const events = [];
  for await (const event of readServerSentEvents(stream(...chunks))) events.push(event);
  return events;
}

describe('readServerSentEvents', () => {
  it('parses events, multi-line data and ids; drops comments', async () => {
    expect(await read(': keep-alive\n\nevent: ready\ndata: {"a":1}\n\nid: 7\ndata: one\ndata: two\n\n')).toEqual([
      { event: 'ready', data: '{"a":1}', id: null },
      { event: 'message', data: 'one\ntwo', id: '7' },
    ]);
  });

  it('reads events split anywhere across chunks, CRLF included (even split between CR and LF)', async () => {
    const text = 'event: webhook\r\ndata: {"id":"msg_1"}\r\n\r\nevent: webhook\r\ndata: {"id":"msg_2"}\r\n\r\n';
    const whole = await read(text);
    expect(whole.map((e) => e.data)).toEqual(['{"id":"msg_1"}', '{"id":"msg_2"}']);
    for (let cut = 1; cut < text.length; cut++) {
      expect(await read(text.slice(0, cut), text.slice(cut)), `cut at ${cut}`).toEqual(whole);
    }
  });

  it('keeps multi-byte characters split across chunks', async () => {
    const bytes = new TextEncoder().encode('data: café ♪\n\n');
    const split = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, 10));
        controller.enqueue(bytes.slice(10));
        controller.close();
      },
    });
    const events = [];
    for await (const event of readServerSentEvents(split)) events.push(event.data);
    expect(events).toEqual(['café ♪']);
  });
});
