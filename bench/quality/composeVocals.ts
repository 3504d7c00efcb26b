// The vocal line: a lyric phrase every two bars for espeak-ng to say, pitched
// around the song key, each short enough to leave a breath before the next.

import type { PartContext } from './PartContext.js';
import type { Song, VocalPhrase } from './Song.js';

const VOICES = ['en+m3', 'en+f3', 'en+m1', 'en+f2', 'en+m7', 'en+f4', 'en-us+m2', 'en-us+f3'];
const WORDS = {
  subject: ['I', 'we', 'you', 'they'],
  verb: ['walk', 'run', 'dream', 'fall', 'wait', 'drive', 'dance', 'fly', 'shine', 'hold on'],
  place: ['through the night', 'into the light', 'down by the river', 'across the sky', 'under silver stars', 'on the open road', 'in the summer rain', 'over the hills', 'along the shore', 'in the city lights'],
  tail: ['again', 'tonight', 'forever', 'for you', 'alone', 'together', 'once more'],
  exclaim: ['oh', 'hey', 'yeah', 'and'],
  noun: ['my heart', 'the morning', 'the silence', 'your love', 'the fire', 'the summer', 'the river'],
  state: ['is calling', 'keeps turning', 'will find me', 'is rising', 'goes on and on', 'is fading away'],
};

export interface VocalKey {
  /** Pitch class of the tonic. */
  tonic: number;
  mode: 'major' | 'minor';
  bpm: number;
}

export function composeVocals(ctx: PartContext, { tonic, mode, bpm }: VocalKey): Song['vocals'] {
  const r = ctx.random;
  const voice = r.pick(VOICES);
  const beatSeconds = 60 / bpm;
  const barSeconds = 4 * beatSeconds;
  const basePitch = 28 + Math.round(tonic * 2.5) + (mode === 'minor' ? -3 : 2);
  const baseSpeed = r.int(125, 160);
  const contour = [0, 6, -3, 10].map((p) => p + r.int(-2, 2));
  const slots = Math.floor((ctx.bars - 1) / 2); // two-bar slots after a one-bar intro
  const skipSlot = slots >= 4 && r.chance(0.3) ? r.int(2, 3) : -1; // sometimes an instrumental break
  const phrases: VocalPhrase[] = [];
  for (let slot = 0, bar = 1; slot < slots; slot++, bar += 2) {
    if (slot === skipSlot) continue;
    const speed = baseSpeed + r.int(-8, 8);
    const room = 2 * barSeconds - 0.4 - beatSeconds / 2; // a breath before the next phrase
    // espeak-ng takes about 0.9 x 60/speed seconds a word (measured), plus a little silence.
    const text = lyric(ctx, (words) => (0.9 * words * 60) / speed + 0.1 <= room);
    const pickup = r.pick([0, 0, -0.5, 0.5]) * beatSeconds;
    phrases.push({
      startSeconds: Math.round((bar * barSeconds + pickup) * 1000) / 1000,
      text,
      pitch: Math.min(99, Math.max(0, basePitch + contour[phrases.length % contour.length] + r.int(-2, 2))),
      speed,
    });
  }
  return { voice, phrases, reverbDb: -r.int(10, 15) };
}

/** Two lines when there is room, else one, shortened if need be. */
function lyric({ random: r }: PartContext, fits: (words: number) => boolean): string {
  const line = (): string[] =>
    r.chance(0.5)
      ? [r.pick(WORDS.subject), r.pick(WORDS.verb), r.pick(WORDS.place), r.pick(WORDS.tail)]
      : [r.pick(WORDS.exclaim), r.pick(WORDS.noun), r.pick(WORDS.state)];
  const first = line();
  const second = line();
  const candidates = [`${first.join(' ')}, ${second.join(' ')}`, first.join(' '), first.slice(0, 3).join(' '), first.slice(0, 2).join(' ')];
  return candidates.find((text) => fits(text.split(' ').length)) ?? candidates[candidates.length - 1];
}
