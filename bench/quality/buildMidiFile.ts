// Writes a Standard MIDI File (type 1) by hand, so the quality benchmark
// needs no MIDI package and the bytes depend only on the song description.

export interface MidiNote {
  /** Start, in ticks from the beginning of the song. */
  tick: number;
  durationTicks: number;
  /** MIDI key 0-127 (on a drum channel: the GM percussion sound). */
  key: number;
  /** 1-127 (0 would mean note-off). */
  velocity: number;
}

export interface MidiTrack {
  name: string;
  /** 0-15; channel 9 (MIDI channel 10) is the GM drum channel. */
  channel: number;
  /** General MIDI program 0-127 (0 on a drum channel = standard kit). */
  program: number;
  /** CC0 bank select MSB, sent before the program change when set. */
  bankMsb?: number;
  /** CC10, 0 = hard left, 64 = centre, 127 = hard right. */
  pan: number;
  /** CC7 channel volume. */
  volume: number;
  /** CC91 reverb send. */
  reverb: number;
  /** CC93 chorus send, when set. */
  chorus?: number;
  /** Initial pitch bend, -8192..8191 (a few cents of detune widen doubled parts). */
  pitchBend?: number;
  notes: MidiNote[];
}

export interface MidiSong {
  /** Ticks per quarter note. */
  ppq: number;
  bpm: number;
  /** Every track's end-of-track event sits here, so renderers keep going through the release tail. */
  endTick: number;
  tracks: MidiTrack[];
}

interface Event {
  tick: number;
  /** Same-tick order: set-up, then note-offs, then note-ons (an off never cuts a note started at the same tick). */
  rank: number;
  bytes: number[];
}

export function buildMidiFile(song: MidiSong): Uint8Array {
  checkInt('ppq', song.ppq, 1, 0x7fff);
  if (!(song.bpm > 0)) throw new RangeError(`bpm must be > 0, got ${song.bpm}`);
  checkInt('endTick', song.endTick, 0, 0x0fffffff);
  const usPerQuarter = Math.round(60_000_000 / song.bpm);
  checkInt('tempo (us per quarter)', usPerQuarter, 1, 0xffffff);

  const conductor: Event[] = [
    { tick: 0, rank: 0, bytes: metaEvent(0x03, textBytes('conductor')) },
    // 4/4, 24 MIDI clocks per metronome click, 8 32nds per quarter.
    { tick: 0, rank: 0, bytes: metaEvent(0x58, [4, 2, 24, 8]) },
    {
      tick: 0,
      rank: 0,
      bytes: metaEvent(0x51, [(usPerQuarter >> 16) & 0xff, (usPerQuarter >> 8) & 0xff, usPerQuarter & 0xff]),
    },
  ];
  const chunks = [trackChunk(conductor, song.endTick)];
  for (const track of song.tracks) chunks.push(trackChunk(trackEvents(track), song.endTick));

  const header = [
    ...ascii('MThd'),
    ...u32(6),
    ...u16(1), // format 1: simultaneous tracks
    ...u16(chunks.length),
    ...u16(song.ppq),
  ];
  const out = new Uint8Array(header.length + chunks.reduce((n, c) => n + c.length, 0));
  out.set(header, 0);
  let offset = header.length;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

function trackEvents(track: MidiTrack): Event[] {
  const ch = track.channel;
  checkInt(`${track.name}: channel`, ch, 0, 15);
  checkInt(`${track.name}: program`, track.program, 0, 127);
  for (const [what, v] of [
    ['pan', track.pan],
    ['volume', track.volume],
    ['reverb', track.reverb],
  ] as const) {
    checkInt(`${track.name}: ${what}`, v, 0, 127);
  }

  const setup: number[][] = [];
  if (track.bankMsb !== undefined) {
    checkInt(`${track.name}: bankMsb`, track.bankMsb, 0, 127);
    setup.push([0xb0 | ch, 0, track.bankMsb], [0xb0 | ch, 32, 0]);
  }
  setup.push([0xc0 | ch, track.program]);
  setup.push([0xb0 | ch, 7, track.volume], [0xb0 | ch, 10, track.pan], [0xb0 | ch, 91, track.reverb]);
  if (track.chorus !== undefined) {
    checkInt(`${track.name}: chorus`, track.chorus, 0, 127);
    setup.push([0xb0 | ch, 93, track.chorus]);
  }
  if (track.pitchBend !== undefined) {
    checkInt(`${track.name}: pitchBend`, track.pitchBend, -8192, 8191);
    const v = track.pitchBend + 8192;
    setup.push([0xe0 | ch, v & 0x7f, v >> 7]);
  }

  const events: Event[] = [{ tick: 0, rank: 0, bytes: metaEvent(0x03, textBytes(track.name)) }];
  for (const bytes of setup) events.push({ tick: 0, rank: 0, bytes });

  // A note-on for a key that is still sounding on the same channel would make the
  // earlier note-off cut the new note, so shorten overlapping notes of one key.
  const byKey = new Map<number, MidiNote[]>();
  for (const n of track.notes) {
    checkInt(`${track.name}: note tick`, n.tick, 0, 0x0fffffff);
    checkInt(`${track.name}: note duration`, n.durationTicks, 1, 0x0fffffff);
    checkInt(`${track.name}: note key`, n.key, 0, 127);
    checkInt(`${track.name}: note velocity`, n.velocity, 1, 127);
    const list = byKey.get(n.key) ?? [];
    list.push(n);
    byKey.set(n.key, list);
  }
  for (const [key, list] of byKey) {
    list.sort((a, b) => a.tick - b.tick);
    for (let i = 0; i < list.length; i++) {
      const n = list[i];
      const next = list[i + 1];
      let end = n.tick + n.durationTicks;
      if (next !== undefined && next.tick < end) end = next.tick;
      if (end <= n.tick) continue; // two hits on one tick: keep the later one only
      events.push({ tick: n.tick, rank: 2, bytes: [0x90 | ch, key, n.velocity] });
      events.push({ tick: end, rank: 1, bytes: [0x80 | ch, key, 64] });
    }
  }
  return events;
}

function trackChunk(events: Event[], endTick: number): Uint8Array {
  // Array.prototype.sort is stable, so same-tick same-rank events keep insertion order.
  const sorted = [...events].sort((a, b) => a.tick - b.tick || a.rank - b.rank);
  const last = sorted.length > 0 ? sorted[sorted.length - 1].tick : 0;
  sorted.push({ tick: Math.max(endTick, last), rank: 3, bytes: metaEvent(0x2f, []) });
  const body: number[] = [];
  let now = 0;
  for (const e of sorted) {
    body.push(...varLen(e.tick - now), ...e.bytes);
    now = e.tick;
  }
  const chunk = new Uint8Array(8 + body.length);
  chunk.set([...ascii('MTrk'), ...u32(body.length)], 0);
  chunk.set(body, 8);
  return chunk;
}

function metaEvent(type: number, data: number[]): number[] {
  return [0xff, type, ...varLen(data.length), ...data];
}

/** MIDI variable-length quantity: 7 bits per byte, most significant first, high bit = more follows. */
function varLen(value: number): number[] {
  if (value < 0) throw new RangeError(`negative delta time ${value}`);
  const bytes = [value & 0x7f];
  let v = Math.floor(value / 128);
  while (v > 0) {
    bytes.unshift((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  return bytes;
}

function textBytes(s: string): number[] {
  return [...new TextEncoder().encode(s)];
}

function ascii(s: string): number[] {
  return [...s].map((c) => c.charCodeAt(0));
}

function u32(v: number): number[] {
  return [(v >>> 24) & 0xff, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff];
}

function u16(v: number): number[] {
  return [(v >> 8) & 0xff, v & 0xff];
}

function checkInt(what: string, v: number, min: number, max: number): void {
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new RangeError(`${what} must be an integer in ${min}..${max}, got ${v}`);
  }
}
