// Sings a SungVocals line: espeak-ng speaks each phrase once with a flat pitch
// contour (SSML prosody range 0) and a pause after every word; the words are cut
// apart at those pauses, and sox shifts each to its note's pitch and stretches it
// to the note's length. Vibrato, the doubled take (detuned, late, panned apart)
// and harmonies are added here, so all of it stays inside the vocal stem.

import { join } from 'node:path';
import { readWav } from './readWav.js';
import { peak } from './rms.js';
import { runTool } from './runTool.js';
import type { Song, SungNote, SungVocals } from './Song.js';
import { writeWav } from './writeWav.js';
import { closeGaps, type RenderedVocals } from './renderVocals.js';

/** espeak-ng's flat pitch is about f50 * 2^((p - 50) / 62) for -p p (measured on en, de, es, fr, it voices). */
const PITCH_OCTAVE = 62;

export async function renderSungVocals(song: Song, scratch: string, frames: number, sampleRate: number): Promise<RenderedVocals> {
  const sung = song.vocals.sung;
  if (sung === undefined) throw new Error(`${song.name} has no sung vocals`);
  const left = new Float32Array(frames);
  const right = new Float32Array(frames);
  const active = new Uint8Array(frames);
  const phrases = new Map<number, SungNote[]>();
  for (const n of sung.notes) phrases.set(n.phrase, [...(phrases.get(n.phrase) ?? []), n]);
  // First guess of the voice's pitch at -p 50 from its register; corrected after the first phrase.
  const mean = sung.notes.reduce((a, n) => a + n.midi, 0) / Math.max(1, sung.notes.length);
  let f50 = mean < 58 ? 90 : 170;
  let file = 0;
  for (const [phraseIndex, notes] of phrases) {
    const targetHz = notes.reduce((a, n) => a + midiHz(n.midi), 0) / notes.length;
    const p = Math.max(0, Math.min(99, Math.round(50 + PITCH_OCTAVE * Math.log2(targetHz / f50))));
    let words = await speakSplit(sung, notes.map((n) => n.text), p, join(scratch, `sung-${phraseIndex}.wav`));
    if (words === undefined) {
      // The pauses were not found: speak each word on its own.
      words = [];
      for (const [i, n] of notes.entries()) {
        const one = await speakSplit(sung, [n.text], p, join(scratch, `sung-${phraseIndex}-${i}.wav`));
        if (one === undefined) throw new Error(`espeak-ng produced silence for "${n.text}" (voice ${sung.voice})`);
        words.push(one[0]);
      }
    }
    const allWords = concat(words.map((w) => w.audio));
    const f0 = flatPitch(allWords, words[0].sampleRate) || f50 * 2 ** ((p - 50) / PITCH_OCTAVE);
    f50 = f0 / 2 ** ((p - 50) / PITCH_OCTAVE);
    for (const [i, note] of notes.entries()) {
      const word = words[i];
      const takes: { cents: number; gain: number; pan: number; delay: number; detune: number }[] = [
        { cents: 0, gain: 1, pan: sung.pan, delay: 0, detune: 0 },
      ];
      if (sung.double !== undefined) {
        takes.push({ cents: 0, gain: 10 ** (sung.double.db / 20), pan: sung.double.pan, delay: sung.double.delayMs / 1000, detune: sung.double.cents });
      }
      if (note.harmony !== 0) {
        takes.push({ cents: note.harmony * 100, gain: 10 ** (sung.harmonyDb / 20), pan: -(sung.double?.pan ?? 0.3) * 0.8, delay: 0.006, detune: 0 });
      }
      const rendered = new Map<number, Float32Array>();
      for (const take of takes) {
        let audio = rendered.get(take.cents);
        if (audio === undefined) {
          audio = await singWord(word.path, word.sampleRate, word.audio.length, 1200 * Math.log2(midiHz(note.midi) / f0) + take.cents, note.durationSeconds, join(scratch, `note-${file++}.wav`), sampleRate);
          rendered.set(take.cents, audio);
        }
        const phase = take.delay * 37; // decorrelates the takes' vibrato
        const voiced = vibrato(audio, sampleRate, sung.vibrato, phase, take.detune);
        const start = Math.round((note.startSeconds + take.delay) * sampleRate);
        const theta = ((Math.max(-1, Math.min(1, take.pan)) + 1) * Math.PI) / 4;
        const gl = Math.cos(theta) * Math.SQRT2 * take.gain;
        const gr = Math.sin(theta) * Math.SQRT2 * take.gain;
        for (let t = 0; t < voiced.length && start + t < frames; t++) {
          const v = voiced[t];
          left[start + t] += gl * v;
          right[start + t] += gr * v;
          if (take.cents === 0 && take.delay === 0 && Math.abs(v) > 1e-3) active[start + t] = 1;
        }
      }
    }
  }
  if (peak([left, right]) < 1e-4) throw new Error(`${song.name}: the sung vocal is silent`);
  closeGaps(active, Math.round(0.25 * sampleRate));
  return { stereo: [left, right], active };
}

interface Word {
  audio: Float32Array;
  sampleRate: number;
  /** The word alone, as a WAV file for sox. */
  path: string;
}

/** Speaks the words with a flat contour and a pause after each, then cuts them apart (undefined: pauses not found). */
async function speakSplit(sung: SungVocals, texts: string[], p: number, path: string): Promise<Word[] | undefined> {
  const ssml = `<speak><prosody range="0">${texts.map(escapeXml).join(' <break time="350ms"/> ')}</prosody></speak>`;
  await runTool('espeak-ng', ['-v', sung.voice, '-p', String(p), '-s', String(sung.speed), '-m', '-w', path, '--', ssml]);
  const wav = await readWav(path);
  const x = wav.channels[0];
  const sr = wav.sampleRate;
  const hop = Math.round(0.01 * sr);
  const n = Math.floor(x.length / hop);
  const energy = new Float32Array(n);
  let max = 0;
  for (let f = 0; f < n; f++) {
    let e = 0;
    for (let i = f * hop; i < (f + 1) * hop; i++) e += x[i] * x[i];
    energy[f] = e / hop;
    max = Math.max(max, energy[f]);
  }
  if (max === 0) return undefined;
  const loud = Array.from(energy, (e) => e > max * 1e-4); // -40 dB
  const first = loud.indexOf(true);
  const last = loud.lastIndexOf(true);
  // Silent runs strictly inside the phrase, longest first.
  const runs: [number, number][] = [];
  for (let f = first; f <= last; f++) {
    if (loud[f]) continue;
    const s = f;
    while (f <= last && !loud[f]) f++;
    runs.push([s, f]);
  }
  const cuts = runs
    .filter(([s, e]) => e - s >= 12)
    .sort((a, b) => b[1] - b[0] - (a[1] - a[0]))
    .slice(0, texts.length - 1)
    .sort((a, b) => a[0] - b[0]);
  if (cuts.length !== texts.length - 1) return undefined;
  const bounds: [number, number][] = [];
  let from = first;
  for (const [s, e] of cuts) {
    bounds.push([from, s]);
    from = e;
  }
  bounds.push([from, last + 1]);
  const words: Word[] = [];
  for (const [i, [s, e]] of bounds.entries()) {
    const audio = x.slice(Math.max(0, s * hop - hop), Math.min(x.length, e * hop + hop));
    const wordPath = path.replace(/\.wav$/, `-w${i}.wav`);
    await writeWav(wordPath, [audio], sr);
    words.push({ audio, sampleRate: sr, path: wordPath });
  }
  return words;
}

/** sox: shift by `cents` and stretch to `seconds`, at the song's rate; fades in and out. */
async function singWord(path: string, rate: number, length: number, cents: number, seconds: number, out: string, sampleRate: number): Promise<Float32Array> {
  const factor = Math.max(0.2, Math.min(5, length / rate / seconds));
  await runTool('sox', [path, '-b', '32', '-e', 'floating-point', out, 'pitch', cents.toFixed(1), 'tempo', '-s', factor.toFixed(4), 'rate', '-v', String(sampleRate)]);
  const wav = await readWav(out);
  const audio = wav.channels[0].slice(0, Math.round(seconds * sampleRate));
  const fadeIn = Math.min(audio.length, Math.round(0.006 * sampleRate));
  const fadeOut = Math.min(audio.length, Math.round(0.04 * sampleRate));
  for (let i = 0; i < fadeIn; i++) audio[i] *= i / fadeIn;
  for (let i = 0; i < fadeOut; i++) audio[audio.length - 1 - i] *= i / fadeOut;
  return audio;
}

/**
 * Vibrato as a modulated delay (a pitch deviation of `cents` peak, fading in after
 * `delaySeconds`), plus a constant `detune` in cents by resampling.
 */
function vibrato(x: Float32Array, sampleRate: number, v: SungVocals['vibrato'], phase: number, detune: number): Float32Array {
  const ratio = 2 ** (detune / 1200);
  const out = new Float32Array(Math.floor(x.length / ratio));
  // Peak delay change per sample d' = 2^(cents/1200) - 1 = D * 2 pi f / sr for delay D sin(2 pi f t).
  const depth = ((2 ** (v.cents / 1200) - 1) * sampleRate) / (2 * Math.PI * v.rateHz);
  const onset = v.delaySeconds * sampleRate;
  const ramp = 0.25 * sampleRate;
  for (let t = 0; t < out.length; t++) {
    const amount = t < onset ? 0 : Math.min(1, (t - onset) / ramp);
    const pos = t * ratio - amount * depth * (1 + Math.sin((2 * Math.PI * v.rateHz * t) / sampleRate + phase));
    const i = Math.floor(pos);
    if (i < 0 || i + 1 >= x.length) continue;
    const frac = pos - i;
    out[t] = x[i] + frac * (x[i + 1] - x[i]);
  }
  return out;
}

/** Median f0 of a flat-pitched voice, by normalised autocorrelation (preferring the shortest strong lag). */
export function flatPitch(x: Float32Array, sr: number): number {
  const win = Math.round(0.03 * sr);
  const minLag = Math.floor(sr / 600);
  const maxLag = Math.ceil(sr / 60);
  const hop = Math.round(0.04 * sr);
  const found: number[] = [];
  const nc = new Float32Array(maxLag + 2);
  for (let s = 0; s + win + maxLag + 1 < x.length && found.length < 40; s += hop) {
    let e = 0;
    for (let i = 0; i < win; i++) e += x[s + i] * x[s + i];
    if (e / win < 1e-5) continue;
    let best = 0;
    for (let l = minLag; l <= maxLag + 1; l++) {
      let c = 0;
      let e2 = 0;
      for (let i = 0; i < win; i++) {
        c += x[s + i] * x[s + i + l];
        e2 += x[s + i + l] * x[s + i + l];
      }
      nc[l] = c / Math.sqrt(e * e2 + 1e-12);
      best = Math.max(best, nc[l]);
    }
    if (best < 0.75) continue;
    for (let l = minLag + 1; l <= maxLag; l++) {
      if (nc[l] >= 0.9 * best && nc[l] >= nc[l - 1] && nc[l] >= nc[l + 1]) {
        found.push(sr / l);
        break;
      }
    }
  }
  found.sort((a, b) => a - b);
  return found.length === 0 ? 0 : found[Math.floor(found.length / 2)];
}

const midiHz = (midi: number): number => 440 * 2 ** ((midi - 69) / 12);

function concat(xs: Float32Array[]): Float32Array {
  const out = new Float32Array(xs.reduce((a, x) => a + x.length, 0));
  let o = 0;
  for (const x of xs) {
    out.set(x, o);
    o += x.length;
  }
  return out;
}

function escapeXml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
