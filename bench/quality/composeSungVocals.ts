// A sung vocal line for the training-data generator: every word is one note of a
// melody in the song key (steps and small leaps, chord tones on the downbeats),
// a lyric phrase per two-bar slot, with vibrato, an optional doubled take and
// harmonies a third or fifth above on some phrases. renderSungVocals sings it.

import { chordPitchClasses } from './chordOn.js';
import type { PartContext } from './PartContext.js';
import type { Song, SungNote } from './Song.js';
import type { VoiceChoice } from './styles.js';

/** Short, mostly one- or two-syllable words per lyric language. */
export const LYRICS: Record<string, string[]> = {
  en: ['love', 'heart', 'night', 'light', 'fire', 'rain', 'home', 'dream', 'fly', 'stay', 'run', 'sky', 'sun', 'time', 'hold', 'free', 'gold', 'oh', 'yeah', 'baby', 'tonight', 'forever', 'again', 'away', 'alone', 'we', 'you', 'my', 'soul', 'shine'],
  es: ['amor', 'noche', 'luz', 'cielo', 'mar', 'sol', 'vida', 'fuego', 'corazón', 'sueño', 'ven', 'baila', 'siempre', 'nunca', 'tu', 'mi', 'ay', 'luna', 'canta', 'quiero'],
  de: ['liebe', 'herz', 'nacht', 'licht', 'feuer', 'regen', 'traum', 'himmel', 'zeit', 'frei', 'immer', 'nie', 'du', 'mein', 'komm', 'halt', 'sonne', 'ja', 'wir', 'weit'],
  fr: ['amour', 'coeur', 'nuit', 'lumière', 'feu', 'pluie', 'rêve', 'ciel', 'temps', 'libre', 'toujours', 'jamais', 'toi', 'moi', 'viens', 'soleil', 'encore', 'oui', 'danse', 'vie'],
  it: ['amore', 'cuore', 'notte', 'luce', 'fuoco', 'pioggia', 'sogno', 'cielo', 'tempo', 'sempre', 'mai', 'tu', 'vieni', 'sole', 'ancora', 'vita', 'canto', 'mare', 'stella', 'io'],
  // Held-out languages.
  pt: ['amor', 'coração', 'noite', 'luz', 'fogo', 'chuva', 'sonho', 'céu', 'tempo', 'sempre', 'nunca', 'você', 'vem', 'sol', 'saudade', 'vida', 'mar', 'lua', 'canta', 'meu'],
  nl: ['liefde', 'hart', 'nacht', 'licht', 'vuur', 'regen', 'droom', 'hemel', 'tijd', 'vrij', 'altijd', 'nooit', 'jij', 'kom', 'zon', 'zee', 'ster', 'wij', 'ver', 'dans'],
  sv: ['kärlek', 'hjärta', 'natt', 'ljus', 'eld', 'regn', 'dröm', 'himmel', 'tid', 'fri', 'alltid', 'aldrig', 'du', 'kom', 'sol', 'hav', 'stjärna', 'vi', 'dans', 'hem'],
};

const SCALES = { major: [0, 2, 4, 5, 7, 9, 11], minor: [0, 2, 3, 5, 7, 8, 10] };
/** Lowest and highest MIDI key of each register (a pop melody's range). */
const REGISTERS = { low: [45, 62], high: [55, 74] } as const;

export interface SungVocalOptions {
  voices: VoiceChoice[];
  vocalDrop: number;
  double: number;
  harmony: number;
}

const syllables = (word: string): number => Math.max(1, (word.toLowerCase().match(/[aeiouyàáâãäåèéêëìíîïòóôõöùúûü]+/g) ?? []).length);

export function composeSungVocals(ctx: PartContext, key: { tonic: number; mode: 'major' | 'minor'; bpm: number }, options: SungVocalOptions): Song['vocals'] {
  const r = ctx.random;
  const choice = r.pick(options.voices);
  const words = LYRICS[choice.language];
  if (words === undefined) throw new Error(`no lyrics for language ${choice.language}`);
  const scale = SCALES[key.mode];
  const [lo, hi] = REGISTERS[choice.range];
  // Scale keys within the register: the melody moves by index in this list.
  const keys: number[] = [];
  for (let k = lo; k <= hi; k++) if (scale.includes((k - key.tonic + 120) % 12)) keys.push(k);
  const beat = 60 / key.bpm;
  const eighth = beat / 2;
  const bar = 4 * beat;
  const minEighths = Math.max(1, Math.ceil(0.26 / eighth));
  const slots = Math.floor((ctx.bars - 1) / 2);
  const dropped = new Set<number>();
  if (slots >= 4 && r.chance(0.3)) dropped.add(r.int(2, 3));
  if (slots >= 3 && r.chance(options.vocalDrop)) dropped.add(r.int(0, slots - 1));
  const doubled = r.chance(options.double);
  const harmonyOn = r.chance(options.harmony);
  const notes: SungNote[] = [];
  let idx = Math.floor(keys.length / 2) + r.int(-2, 2);
  let phrase = 0;
  for (let slot = 0; slot < slots; slot++) {
    if (dropped.has(slot)) continue;
    const startBar = 1 + 2 * slot;
    const harmonyStep = harmonyOn && r.chance(0.6) ? r.pick([2, 2, 4]) : 0;
    let t = r.pick([0, 0, 1, 2]); // eighths after the slot's downbeat
    const room = 16 - 2; // two eighths of breath before the next phrase
    const count = r.int(3, 7);
    for (let w = 0; w < count && t < room - minEighths; w++) {
      const word = r.pick(words);
      let len = Math.max(minEighths, syllables(word) * minEighths) * r.pick([1, 1, 1, 2]);
      if (w === count - 1) len += r.int(1, 4);
      len = Math.min(len, room - t);
      const barIndex = startBar + Math.floor(t / 8);
      const downbeat = t % 8 === 0;
      idx = Math.max(0, Math.min(keys.length - 1, idx + r.pick([-2, -1, -1, 0, 1, 1, 2, 3, -3])));
      if (downbeat || w === count - 1) {
        // Land on the nearest chord tone of the bar.
        const pcs = chordPitchClasses(ctx.chordAt(barIndex), false);
        let best = idx;
        for (let d = 0; d < keys.length; d++) {
          const cands = [idx - d, idx + d].filter((i) => i >= 0 && i < keys.length && pcs.includes(keys[i] % 12));
          if (cands.length > 0) {
            best = cands[0];
            break;
          }
        }
        idx = best;
      }
      const harmonyKey = harmonyStep > 0 ? keyAbove(keys[idx], harmonyStep, scale, key.tonic) : keys[idx];
      notes.push({
        startSeconds: round3(startBar * bar + t * eighth),
        durationSeconds: round3(len * eighth * 0.94),
        midi: keys[idx],
        text: word,
        phrase,
        harmony: harmonyKey - keys[idx],
      });
      t += len;
    }
    phrase++;
  }
  return {
    voice: choice.voice,
    phrases: [],
    reverbDb: -r.int(10, 15),
    sung: {
      voice: choice.voice,
      speed: r.int(95, 135),
      notes,
      vibrato: { rateHz: round3(4.5 + r.next() * 2), cents: r.int(15, 45), delaySeconds: round3(0.12 + r.next() * 0.2) },
      double: doubled ? { cents: r.int(6, 16) * (r.chance(0.5) ? 1 : -1), delayMs: r.int(12, 35), pan: round3((0.3 + r.next() * 0.5) * (r.chance(0.5) ? 1 : -1)), db: -r.int(2, 6) } : undefined,
      harmonyDb: -r.int(4, 9),
      pan: round3((r.next() * 2 - 1) * 0.08),
    },
  };
}

/** The scale key `steps` scale degrees above `midi` (a third for 2, a fifth for 4). */
function keyAbove(midi: number, steps: number, scale: readonly number[], tonic: number): number {
  let k = midi;
  let n = 0;
  while (n < steps) {
    k++;
    if (scale.includes((k - tonic + 120) % 12)) n++;
  }
  return k;
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;
