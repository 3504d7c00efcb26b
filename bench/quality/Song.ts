// The song description composeSong produces and renderSong consumes: MIDI parts
// for the instrument stems plus spoken phrases for the vocal stem.

import type { MidiSong, MidiTrack } from './buildMidiFile.js';

export type StemGroup = 'drums' | 'bass' | 'other';
export type StemName = 'vocals' | StemGroup;
/** Order of the sum: mixture = vocals + drums + bass + other. */
export const STEM_NAMES: readonly StemName[] = ['vocals', 'drums', 'bass', 'other'];

export type Part = 'drums' | 'bass' | 'keys' | 'guitar' | 'pads';

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
  };
  /**
   * Stem levels in dB: drums, bass and other relative to each other (RMS over the
   * song); vocals relative to the band while the voice sings. renderSong applies them.
   */
  mixDb: Record<StemName, number>;
  /** Levels of the parts inside "other", dB relative to each other (RMS over the song). */
  partDb: Record<'keys' | 'guitar' | 'pads', number>;
}
