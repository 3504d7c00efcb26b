// Which sounds, styles and voices each data set is rendered with (pure data).
// "heldout" shares no melodic soundfont, drum kit, style, voice or lyric language
// with "train", so its scores say how the models do on material they have not heard.

import type { DrumKit } from '../bench/quality/Song.js';
import type { ComposeOptions, StyleName, VoiceChoice } from '../bench/quality/styles.js';

export interface GeneratorConfig extends ComposeOptions {
  name: string;
  /** composeSong seed: different per config, so no song is shared. */
  seed: number;
  /** Melodic soundfonts, one drawn per song (repeat one to weight it). */
  soundfonts: string[];
  drumKits: DrumKit[];
  styles: StyleName[];
  voices: VoiceChoice[];
  /** Per-part EQ, compression, reverb, saturation, width and pan, and wider stem levels. */
  mixing: boolean;
}

const SF = '/usr/share/sounds';
const FLUID = `${SF}/sf2/FluidR3_GM.sf2`;
const GMBANK = `${SF}/sf2/sf_GMbank.sf2`;
const MUSESCORE = `${SF}/sf3/MuseScore_General_Full.sf3`;
const TIMGM = `${SF}/sf2/TimGM6mb.sf2`;

/**
 * The AVL drum kits (x42 avldrums as soundfonts) are one bank 0 preset, keys 36-61,
 * GM-like: 36 kick, 37 side stick, 38 snare, 40 rim shot, 41/43 floor tom, 45/47 rack
 * tom, 42 closed, 44 pedal, 46 open hi-hat, 49/57 crash, 51 ride (checked by ear and
 * spectrum). There is no 35 kick, and 48/50 are not toms: map them.
 */
const AVL_NOTES: Record<number, number> = { 35: 36, 48: 47, 50: 47 };
const avl = (name: string, file: string): DrumKit => ({ name, soundfont: `${SF}/sf2/${file}`, kind: 'melodic', program: 0, bank: 0, noteMap: AVL_NOTES });
const gm = (name: string, soundfont: string, program: number): DrumKit => ({ name, soundfont, kind: 'gm', program });

const PARTS = { guitar: 0.8, keys: 0.75, extra: 0.45 };

export const generatorConfigs: Record<string, GeneratorConfig> = {
  train: {
    name: 'train',
    seed: 1000,
    // MuseScore loads slowly even with dynamic sample loading: about one song in six.
    soundfonts: [FLUID, GMBANK, FLUID, GMBANK, FLUID, MUSESCORE],
    drumKits: [
      avl('Black Pearl', 'Black_Pearl_4_LV2.sf2'),
      avl('Black Pearl', 'Black_Pearl_4_LV2.sf2'),
      gm('FluidR3 standard', FLUID, 0),
      gm('FluidR3 room', FLUID, 8),
      gm('FluidR3 power', FLUID, 16),
      gm('FluidR3 jazz', FLUID, 32),
      gm('sf_GMbank standard', GMBANK, 0),
      gm('sf_GMbank room', GMBANK, 8),
      gm('sf_GMbank power', GMBANK, 16),
    ],
    styles: ['pop', 'rock', 'funk', 'electronic'],
    voices: [
      { voice: 'en+m3', language: 'en', range: 'low' },
      { voice: 'en-us+f2', language: 'en', range: 'high' },
      { voice: 'en-us+m2', language: 'en', range: 'low' },
      { voice: 'en-gb-scotland+m1', language: 'en', range: 'low' },
      { voice: 'en+f3', language: 'en', range: 'high' },
      { voice: 'es+f4', language: 'es', range: 'high' },
      { voice: 'es-419+m7', language: 'es', range: 'low' },
      { voice: 'de+m4', language: 'de', range: 'low' },
      { voice: 'de+f1', language: 'de', range: 'high' },
      { voice: 'fr-fr+m6', language: 'fr', range: 'low' },
      { voice: 'fr-fr+f2', language: 'fr', range: 'high' },
      { voice: 'it+m2', language: 'it', range: 'low' },
      { voice: 'it+f2', language: 'it', range: 'high' },
    ],
    mixing: true,
    parts: PARTS,
    vocalDrop: 0.35,
    double: 0.5,
    harmony: 0.45,
  },
  heldout: {
    name: 'heldout',
    seed: 9000,
    soundfonts: [TIMGM],
    drumKits: [avl('Red Zeppelin', 'Red_Zeppelin_4_LV2.sf2'), gm('TimGM6mb standard', TIMGM, 0), gm('TimGM6mb room', TIMGM, 8)],
    styles: ['ballad', 'shuffle'],
    // Languages (pt, nl, sv) and espeak-ng variants (klatt3, Andrea, croak, linda, steph, Mike) not in train.
    voices: [
      { voice: 'pt-br+klatt3', language: 'pt', range: 'low' },
      { voice: 'pt-br+Andrea', language: 'pt', range: 'high' },
      { voice: 'pt+steph', language: 'pt', range: 'high' },
      { voice: 'nl+croak', language: 'nl', range: 'low' },
      { voice: 'nl+Andy', language: 'nl', range: 'low' },
      { voice: 'sv+linda', language: 'sv', range: 'high' },
      { voice: 'sv+Mike', language: 'sv', range: 'low' },
    ],
    mixing: true,
    parts: PARTS,
    vocalDrop: 0.35,
    double: 0.5,
    harmony: 0.45,
  },
};
