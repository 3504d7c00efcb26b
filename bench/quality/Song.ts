// The song description composeSong produces and renderSong consumes: MIDI parts
// for the instrument stems plus spoken phrases for the vocal stem.

import type { MidiSong, MidiTrack } from './buildMidiFile.js';

export type StemGroup = 'drums' | 'bass' | 'other';
export type StemName = 'vocals' | StemGroup;
/** Order of the sum: mixture = vocals + drums + bass + other. */
export const STEM_NAMES: readonly StemName[] = ['vocals', 'drums', 'bass', 'other'];

/** "extra" is a melodic part of "other" that is neither guitar nor piano (organ, strings, brass, lead, flute). */
export type Part = 'drums' | 'bass' | 'keys' | 'guitar' | 'pads' | 'extra';
/** Parts summed into "other". */
export type OtherPart = 'keys' | 'guitar' | 'pads' | 'extra';

/** Where the drum part's sounds come from (see bench/quality/styles.ts for the note maps). */
export interface DrumKit {
  name: string;
  soundfont: string;
  /**
   * "gm": a GM soundfont's own kit, bank 128 preset `program` (0 standard, 8 room, 16 power, ...).
   * "melodic": a drum-kit soundfont whose kit is an ordinary preset (bank/program), played on melodic channels.
   */
  kind: 'gm' | 'melodic';
  program: number;
  bank?: number;
  /** GM note numbers this kit lacks, mapped to ones it has. */
  noteMap?: Record<number, number>;
}

/** One part's mixing chain, applied before the parts are summed into stems. */
export interface PartMix {
  /** Balance after rendering, -1 left .. 1 right. */
  pan: number;
  /** Side gain relative to mid (1 = as rendered, 0 = mono). */
  width: number;
  /** sox effects, e.g. ["highpass", "80", "compand", ...]; empty for none. */
  sox: string[];
}

/** A sung vocal: each word a note of a melody in the song key. */
export interface SungNote {
  startSeconds: number;
  durationSeconds: number;
  /** MIDI key of the lead. */
  midi: number;
  text: string;
  /** Index of the phrase (one espeak-ng call per phrase). */
  phrase: number;
  /** Harmony a few scale steps above, in semitones (0 = none). */
  harmony: number;
}

export interface SungVocals {
  voice: string;
  /** espeak-ng -s for the phrase calls. */
  speed: number;
  notes: SungNote[];
  vibrato: { rateHz: number; cents: number; delaySeconds: number };
  /** A second take, slightly detuned and late, panned opposite the lead (undefined: none). */
  double?: { cents: number; delayMs: number; pan: number; db: number };
  /** Harmony level relative to the lead, dB. */
  harmonyDb: number;
  /** Lead pan, -1..1 (usually near centre). */
  pan: number;
}

export interface SongTrack extends MidiTrack {
  /** Which rendered stem this track belongs to. */
  stem: StemGroup;
  part: Part;
}

export interface VocalPhrase {
  startSeconds: number;
  text: string;
  /** espeak-ng -p, 0-99, centred on the song key. */
  pitch: number;
  /** espeak-ng -s, words per minute. */
  speed: number;
}

export interface Song extends MidiSong {
  name: string;
  seed: number;
  index: number;
  /** e.g. "A minor". */
  key: string;
  chords: string[];
  bars: number;
  /** Length of every rendered stem, release tail included. */
  durationSeconds: number;
  tracks: SongTrack[];
  vocals: {
    /** espeak-ng voice, e.g. "en+f3". */
    voice: string;
    phrases: VocalPhrase[];
    /** Level of the stereo reverb return relative to the dry voice, dB. */
    reverbDb: number;
    /** Set for sung vocals (generator configs); `phrases` is then empty. */
    sung?: SungVocals;
  };
  /**
   * Stem levels in dB: drums, bass and other relative to each other (RMS over the
   * song); vocals relative to the band while the voice sings. renderSong applies them.
   */
  mixDb: Record<StemName, number>;
  /** Levels of the parts inside "other", dB relative to each other (RMS over the song). */
  partDb: Record<'keys' | 'guitar' | 'pads', number> & { extra?: number };
  /** Generator-config songs: the style, melodic soundfont, drum kit and per-part mixing chain. */
  style?: string;
  soundfont?: string;
  drumKit?: DrumKit;
  mix?: Partial<Record<Part | 'vocals', PartMix>>;
}
