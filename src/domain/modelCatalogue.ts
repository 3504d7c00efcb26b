import { outputFormats, type OutputFormat } from './outputFormats.js';

/** How a model's output is made from the separator's stems: the stem itself, or the mixture minus it. */
export interface StemSource {
  stem: string;
  subtract: boolean;
}

export interface ModelDefinition {
  id: string;
  name: string;
  description: string;
  category: 'instrumentStemSeparation';
  creditsPerMinute: number;
  residual: boolean;
  variants: string[];
  outputFormats: readonly OutputFormat[];
  source: StemSource;
}

/** The built-in models (spec/api.md "Models"); all run on the DSP separator's four stems. */
export const builtInModels: readonly ModelDefinition[] = [
  {
    id: 'vocals', name: 'Vocals', category: 'instrumentStemSeparation', creditsPerMinute: 1, residual: true,
    description: 'Lead and backing vocals; the residual is everything else.',
    variants: ['high_quality'], outputFormats, source: { stem: 'vocals', subtract: false },
  },
  {
    id: 'instrumental', name: 'Instrumental', category: 'instrumentStemSeparation', creditsPerMinute: 1, residual: true,
    description: 'The mixture without vocals; the residual is the vocals.',
    variants: ['high_quality'], outputFormats, source: { stem: 'vocals', subtract: true },
  },
  {
    id: 'drums', name: 'Drums', category: 'instrumentStemSeparation', creditsPerMinute: 1, residual: true,
    description: 'Drum kit and percussion; the residual is everything else.',
    variants: [], outputFormats, source: { stem: 'drums', subtract: false },
  },
  {
    id: 'bass', name: 'Bass', category: 'instrumentStemSeparation', creditsPerMinute: 1, residual: true,
    description: 'Bass guitar and synth bass; the residual is everything else.',
    variants: [], outputFormats, source: { stem: 'bass', subtract: false },
  },
  {
    id: 'other', name: 'Other', category: 'instrumentStemSeparation', creditsPerMinute: 1, residual: true,
    description: 'Everything that is not vocals, drums or bass (keys, guitars, pads, ...); the residual is those three.',
    variants: [], outputFormats, source: { stem: 'other', subtract: false },
  },
];

/**
 * Stems AudioShake offers that the DSP engine cannot make: listed in the catalogue only while an
 * installed learned model serves them.
 */
export const learnedOnlyModels: readonly ModelDefinition[] = [
  {
    id: 'guitar', name: 'Guitar', category: 'instrumentStemSeparation', creditsPerMinute: 1, residual: true,
    description: 'Electric and acoustic guitars; the residual is everything else.',
    variants: [], outputFormats, source: { stem: 'guitar', subtract: false },
  },
  {
    id: 'piano', name: 'Piano', category: 'instrumentStemSeparation', creditsPerMinute: 1, residual: true,
    description: 'Piano and keys; the residual is everything else.',
    variants: [], outputFormats, source: { stem: 'piano', subtract: false },
  },
];

/** A model id's definition, whether or not anything installed here serves it now. */
export function findModel(id: string): ModelDefinition | undefined {
  return builtInModels.find((m) => m.id === id) ?? learnedOnlyModels.find((m) => m.id === id);
}
