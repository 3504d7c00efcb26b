import { describe, expect, it } from 'vitest';
import { buildCatalogue, type EngineEntry } from '../../src/domain/buildCatalogue.js';
import { parseCreateTask } from '../../src/domain/parseCreateTask.js';
import { planOutputs } from '../../src/domain/planOutputs.js';

const kim: EngineEntry = { id: 'model:kim', variant: 'kim', models: ['vocals', 'instrumental'], stems: ['vocals', 'instrumental'], quality: 9.0 };
const voc: EngineEntry = { id: 'model:voc-ft', variant: 'voc-ft', models: ['vocals', 'instrumental'], stems: ['vocals', 'instrumental'], quality: 9.2 };
const inst: EngineEntry = { id: 'model:inst-hq', variant: 'inst-hq', models: ['instrumental', 'vocals'], stems: ['instrumental'], quality: null };
const six: EngineEntry = { id: 'model:htdemucs6', variant: 'htdemucs_6s', models: ['drums', 'bass', 'other', 'vocals', 'guitar', 'piano'], stems: ['drums', 'bass', 'other', 'vocals', 'guitar', 'piano'], quality: 8.8 };

describe('the catalogue of installed engines', () => {
  it('with nothing installed it is exactly the DSP engine\'s five models, high_quality on vocals and instrumental', () => {
    const catalogue = buildCatalogue([]);
    expect(catalogue.models.map((m) => [m.id, m.variants])).toEqual([
      ['vocals', ['high_quality']], ['instrumental', ['high_quality']], ['drums', []], ['bass', []], ['other', []],
    ]);
    expect(catalogue.choose('vocals', 'high_quality')).toEqual({ engine: 'dsp', source: { stem: 'vocals', subtract: false } });
    expect(catalogue.choose('instrumental', null)).toEqual({ engine: 'dsp', source: { stem: 'vocals', subtract: true } });
    expect(() => catalogue.choose('guitar', null)).toThrow(/not installed here/);
  });

  it('installed models add their variants, high_quality picks the best, the default stays DSP unless configured', () => {
    const catalogue = buildCatalogue([kim, voc, inst, six], { instrumental: 'inst-hq' });
    const vocals = catalogue.find('vocals')!;
    expect(vocals.variants).toEqual(['high_quality', 'kim', 'voc-ft', 'inst-hq', 'htdemucs_6s', 'dsp']);
    expect(catalogue.choose('vocals', 'high_quality').engine).toBe('model:voc-ft');
    expect(catalogue.choose('vocals', null).engine).toBe('dsp');
    expect(catalogue.choose('vocals', 'dsp').engine).toBe('dsp');
    // An instrumental-only model makes vocals as the mixture minus its stem, and instrumental directly.
    expect(catalogue.choose('vocals', 'inst-hq')).toEqual({ engine: 'model:inst-hq', source: { stem: 'instrumental', subtract: true } });
    expect(catalogue.choose('instrumental', null)).toEqual({ engine: 'model:inst-hq', source: { stem: 'instrumental', subtract: false } });
    expect(catalogue.choose('instrumental', 'kim')).toEqual({ engine: 'model:kim', source: { stem: 'instrumental', subtract: false } });
    // Stems the DSP engine cannot make appear only with a model that serves them, which is then their default.
    expect(catalogue.models.map((m) => m.id)).toEqual(['vocals', 'instrumental', 'drums', 'bass', 'other', 'guitar', 'piano']);
    expect(catalogue.choose('guitar', null)).toEqual({ engine: 'model:htdemucs6', source: { stem: 'guitar', subtract: false } });
    expect(catalogue.find('guitar')!.variants).toEqual(['high_quality', 'htdemucs_6s']);
    expect(() => catalogue.choose('drums', 'kim')).toThrow(/Variant 'kim' of model 'drums' is not installed/);
  });

  it('a model whose manifest says default runs targets that name no variant, unless configured otherwise', () => {
    const ours: EngineEntry = { id: 'model:ours', variant: 'ours', models: ['vocals', 'drums', 'guitar'], stems: ['vocals', 'drums', 'guitar'], quality: 6.5, isDefault: true };
    const catalogue = buildCatalogue([kim, ours]);
    expect(catalogue.choose('vocals', null).engine).toBe('model:ours');
    expect(catalogue.choose('drums', null).engine).toBe('model:ours');
    expect(catalogue.choose('vocals', 'dsp').engine).toBe('dsp');
    // high_quality still ranks by measured quality.
    expect(catalogue.choose('vocals', 'high_quality').engine).toBe('model:kim');
    expect(catalogue.choose('bass', null).engine).toBe('dsp');
    expect(buildCatalogue([kim, ours], { vocals: 'dsp' }).choose('vocals', null).engine).toBe('dsp');
    expect(buildCatalogue([kim, ours], { vocals: 'kim' }).choose('vocals', null).engine).toBe('model:kim');
  });

  it('task creation accepts installed variants and refuses others with 400 naming them', () => {
    const catalogue = buildCatalogue([kim]);
    const body = (variant: string) => ({ assetId: 'a', targets: [{ model: 'vocals', formats: ['wav'], variant }] });
    expect(parseCreateTask(body('kim'), catalogue.models, 10).targets[0].variant).toBe('kim');
    expect(parseCreateTask(body('high_quality'), catalogue.models, 10).targets[0].variant).toBe('high_quality');
    expect(() => parseCreateTask(body('htdemucs'), catalogue.models, 10)).toThrow(/targets\[0\]\.variant: "htdemucs" is not allowed \(variants of 'vocals': high_quality, kim, dsp\)/);
    // Same model with two variants is two targets; the same pair twice is refused.
    const two = { assetId: 'a', targets: [{ model: 'vocals', formats: ['wav'], variant: 'kim' }, { model: 'vocals', formats: ['wav'], variant: 'dsp' }] };
    expect(parseCreateTask(two, catalogue.models, 10).targets).toHaveLength(2);
  });

  it('a target\'s outputs come from its engine\'s source, residual included', () => {
    const { outputs } = planOutputs([{ model: 'vocals', residual: true, engine: 'model:inst-hq', source: { stem: 'instrumental', subtract: true } }]);
    expect(outputs).toEqual([
      { name: 'vocals', stem: 'instrumental', subtract: true, engine: 'model:inst-hq' },
      { name: 'vocals_residual', stem: 'instrumental', subtract: false, engine: 'model:inst-hq' },
    ]);
  });
});
