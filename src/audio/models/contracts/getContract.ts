import type { ModelManifest } from '../ModelManifest.js';
import { demucsContract } from './demucsContract.js';
import { maskContract } from './maskContract.js';
import { mdxContract } from './mdxContract.js';
import type { SegmentContract } from './SegmentContract.js';

/** The contract that runs `model`; cheap to create (STFT tables are built on first use). */
export function getContract(model: ModelManifest): SegmentContract {
  switch (model.contract) {
    case 'mdx':
      return mdxContract(model.parameters, model.stems);
    case 'demucs':
      return demucsContract(model.parameters);
    case 'mask':
      return maskContract(model.parameters, model.stems);
  }
}
