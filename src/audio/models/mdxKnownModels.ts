import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import type { ModelManifest } from './ModelManifest.js';

/**
 * The community UVR MDX-Net files we recognise without a manifest. UVR identifies a file by the MD5
 * of its last 10,240,000 bytes and looks its parameters up in its model_data JSON; we are offline, so
 * the public values are kept here as data (names from the community hash list, parameters from UVR's
 * model_data_new.json). dimT is stored as frames (UVR stores log2: 8 means 256).
 */
export interface KnownMdxModel {
  /** A prefix of the tail MD5 (full hashes where known). */
  hash: string;
  /** UVR's file name without .onnx. */
  name: string;
  nFft: number;
  dimF: number;
  dimT: number;
  compensate: number;
  /** Our stem name for UVR's primary_stem. */
  primaryStem: 'vocals' | 'instrumental' | 'drums' | 'bass' | 'other';
  /** Karaoke models keep backing vocals in the instrumental: not offered for the catalogue models. */
  karaoke?: boolean;
}

export const knownMdxModels: readonly KnownMdxModel[] = [
  { hash: '970b3f9492014d18fefeedfe4773cb42', name: 'Kim_Vocal_2', nFft: 7680, dimF: 3072, dimT: 256, compensate: 1.009, primaryStem: 'vocals' },
  { hash: '73492b58195c3b52d34590d5474452f6', name: 'Kim_Vocal_1', nFft: 7680, dimF: 3072, dimT: 256, compensate: 1.043, primaryStem: 'vocals' },
  { hash: '77d07b2667ddf05b9e3175941b4454a0', name: 'UVR-MDX-NET-Voc_FT', nFft: 7680, dimF: 3072, dimT: 256, compensate: 1.021, primaryStem: 'vocals' },
  { hash: 'b6bccda408a436db8500083ef3491e8b', name: 'Kim_Inst', nFft: 7680, dimF: 3072, dimT: 256, compensate: 1.02, primaryStem: 'instrumental' },
  { hash: '291c2049608edb52648b96e27eb80e95', name: 'UVR-MDX-NET-Inst_HQ_1', nFft: 6144, dimF: 3072, dimT: 256, compensate: 1.035, primaryStem: 'instrumental' },
  { hash: 'cc63408db3d80b4d85b0287d1d7c9632', name: 'UVR-MDX-NET-Inst_HQ_2', nFft: 6144, dimF: 3072, dimT: 256, compensate: 1.033, primaryStem: 'instrumental' },
  { hash: '55657dd70583b0fedfba5f67df11d711', name: 'UVR-MDX-NET-Inst_HQ_3', nFft: 6144, dimF: 3072, dimT: 256, compensate: 1.022, primaryStem: 'instrumental' },
  { hash: '0f2a6bc5b49d87d64728ee40e23bceb1', name: 'UVR-MDX-NET-Inst_HQ_4', nFft: 5120, dimF: 2560, dimT: 256, compensate: 1.019, primaryStem: 'instrumental' },
  { hash: '1d64a6d2c30f709b8c9b4ce1366d96ee', name: 'UVR_MDXNET_KARA_2', nFft: 5120, dimF: 2048, dimT: 256, compensate: 1.065, primaryStem: 'instrumental', karaoke: true },
  { hash: '2f5501189a2f6db6349916fabe8c90de', name: 'UVR_MDXNET_KARA', nFft: 6144, dimF: 2048, dimT: 256, compensate: 1.035, primaryStem: 'vocals', karaoke: true },
  { hash: 'a3cd63058945e777505c01d2507daf37', name: 'UVR_MDXNET_1_9703', nFft: 6144, dimF: 2048, dimT: 256, compensate: 1.03, primaryStem: 'vocals' },
  { hash: 'd94058f8c7f1fae4164868ae8ae66b20', name: 'UVR_MDXNET_2_9682', nFft: 6144, dimF: 2048, dimT: 256, compensate: 1.035, primaryStem: 'vocals' },
  { hash: 'd7bff498db9324db933d913388cba6be', name: 'UVR_MDXNET_3_9662', nFft: 6144, dimF: 2048, dimT: 256, compensate: 1.035, primaryStem: 'vocals' },
  { hash: '0ddfc0eb5792638ad5dc27850236c246', name: 'UVR_MDXNET_9482', nFft: 6144, dimF: 2048, dimT: 256, compensate: 1.035, primaryStem: 'vocals' },
  { hash: '5f6483271e1efb9bfb59e4a3e6d4d098', name: 'kuielab_a_vocals', nFft: 6144, dimF: 2048, dimT: 512, compensate: 1.035, primaryStem: 'vocals' },
  { hash: '6b31de20e84392859a3d09d43f089515', name: 'kuielab_b_vocals', nFft: 6144, dimF: 2048, dimT: 256, compensate: 1.035, primaryStem: 'vocals' },
  { hash: 'dc41ede5961d50f277eb846db17f5319', name: 'kuielab_a_drums', nFft: 4096, dimF: 2048, dimT: 512, compensate: 1.035, primaryStem: 'drums' },
  { hash: '4910e7827f335048bdac11fa967772f9', name: 'kuielab_b_drums', nFft: 4096, dimF: 2048, dimT: 128, compensate: 1.035, primaryStem: 'drums' },
  { hash: '6703e39f36f18aa7855ee1047765621d', name: 'kuielab_a_bass', nFft: 16384, dimF: 2048, dimT: 512, compensate: 1.035, primaryStem: 'bass' },
  { hash: 'c3b29bdce8c4fa17ec609e16220330ab', name: 'kuielab_b_bass', nFft: 16384, dimF: 2048, dimT: 256, compensate: 1.035, primaryStem: 'bass' },
  { hash: '26d308f91f3423a67dc69a6d12a8793d', name: 'kuielab_a_other', nFft: 8192, dimF: 2048, dimT: 512, compensate: 1.035, primaryStem: 'other' },
  { hash: '65ab5919372a128e4167f5e01a8fda85', name: 'kuielab_b_other', nFft: 8192, dimF: 2048, dimT: 256, compensate: 1.035, primaryStem: 'other' },
];

const tailBytes = 10_240_000;

/** UVR's model hash: MD5 hex of the last 10,240,000 bytes of the file (the whole file if smaller). */
export async function mdxFileHash(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, tailBytes);
    const buffer = Buffer.alloc(length);
    let read = 0;
    while (read < length) {
      const { bytesRead } = await handle.read(buffer, read, length - read, size - length + read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return createHash('md5').update(buffer.subarray(0, read)).digest('hex');
  } finally {
    await handle.close();
  }
}

/**
 * The table entry whose hash the file hash starts with, if any, compared on at most the first 8 hex
 * digits: the community list this table comes from is quoted by 8-digit prefixes, so a wrong later
 * digit in a full hash must not hide a real file (and 25 entries in 2^32 prefixes do not collide).
 */
export function findKnownMdxModel(hash: string, table: readonly KnownMdxModel[] = knownMdxModels): KnownMdxModel | undefined {
  const h = hash.toLowerCase();
  return table.find((m) => h.startsWith(m.hash.toLowerCase().slice(0, 8)));
}

/** The manifest a known file gets without one: both stems where the residual has a name of ours. */
export function knownMdxManifest(known: KnownMdxModel, file: string): ModelManifest {
  const slug = known.name.toLowerCase().replace(/[^a-z0-9]+/g, '-');
  const pair = known.primaryStem === 'vocals' ? 'instrumental' : known.primaryStem === 'instrumental' ? 'vocals' : null;
  const stems = pair ? [known.primaryStem, pair] : [known.primaryStem];
  return {
    name: slug,
    contract: 'mdx',
    file,
    stems,
    models: known.karaoke ? [] : stems,
    variant: slug,
    quality: null,
    isDefault: false,
    blend: null,
    sampleRate: 44100,
    parameters: {
      nFft: known.nFft, dimF: known.dimF, dimT: known.dimT, hop: 1024, compensate: known.compensate,
      primaryStem: known.primaryStem, overlap: 0.25, normalizationThreshold: 0.9,
    },
  };
}
