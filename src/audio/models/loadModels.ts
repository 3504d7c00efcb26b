import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { getContract } from './contracts/getContract.js';
import { findKnownMdxModel, knownMdxManifest, mdxFileHash } from './mdxKnownModels.js';
import { parseManifest, type ModelManifest } from './ModelManifest.js';
import { sessionIo } from './runModelSegment.js';

/** A model that loaded and fits its contract: its manifest plus where the file is. */
export type InstalledModel = ModelManifest & {
  /** Absolute path of the .onnx file. */
  path: string;
  sizeBytes: number;
};

export interface ModelProblem {
  /** The file name (no directory) the problem is about: a manifest or an .onnx file. */
  file: string;
  reason: string;
}

/**
 * Scans the models directory: every `<name>.json` manifest, and every `.onnx` file without one that
 * is a known UVR MDX-Net file (by hash). Each model is opened once with ONNX Runtime to check that
 * its inputs and outputs fit its contract, then released (workers open their own sessions). A
 * broken file becomes a problem and the others still load; a missing directory means no models.
 */
export async function loadModels(dir: string): Promise<{ models: InstalledModel[]; problems: ModelProblem[] }> {
  const root = resolve(dir);
  let entries: string[];
  try {
    entries = (await readdir(root)).sort();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { models: [], problems: [] };
    throw error;
  }
  const problems: ModelProblem[] = [];
  const candidates: { manifest: ModelManifest; source: string }[] = [];
  const onnxFiles = entries.filter((f) => f.endsWith('.onnx'));
  const claimed = new Set<string>();

  for (const file of entries.filter((f) => f.endsWith('.json'))) {
    // x.onnx next to a broken x.json is reported once, as the manifest's problem.
    claimed.add(file.replace(/\.json$/, '.onnx'));
    try {
      let json: unknown;
      try {
        json = JSON.parse(await readFile(join(root, file), 'utf8'));
      } catch (error) {
        throw new Error(`${file}: not valid JSON (${(error as Error).message})`, { cause: error });
      }
      const manifest = parseManifest(json, file);
      if (candidates.some((c) => c.manifest.file === manifest.file)) throw new Error(`${file}: "file" ${manifest.file} is already described by another manifest`);
      claimed.add(manifest.file);
      if (!onnxFiles.includes(manifest.file)) throw new Error(`${file}: "file" ${manifest.file} is not in the models directory`);
      candidates.push({ manifest, source: file });
    } catch (error) {
      problems.push({ file, reason: (error as Error).message });
    }
  }

  for (const file of onnxFiles.filter((f) => !claimed.has(f))) {
    try {
      const known = findKnownMdxModel(await mdxFileHash(join(root, file)));
      if (known) candidates.push({ manifest: knownMdxManifest(known, file), source: file });
      else problems.push({ file, reason: 'no manifest and not a known UVR MDX-Net file (add a <name>.json manifest, see docs/models.md)' });
    } catch (error) {
      problems.push({ file, reason: (error as Error).message });
    }
  }

  const models: InstalledModel[] = [];
  for (const { manifest, source } of candidates) {
    const path = join(root, manifest.file);
    try {
      const taken = models.find((m) => m.name === manifest.name || m.variant === manifest.variant);
      if (taken) throw new Error(`name or variant "${manifest.name}"/"${manifest.variant}" is already used by ${taken.file}`);
      await checkModelFile(manifest, path);
      models.push({ ...manifest, path, sizeBytes: (await stat(path)).size });
    } catch (error) {
      // ONNX Runtime's messages carry the full path; operators see file names only.
      const reason = (error as Error).message.split(path).join(manifest.file).split(root).join('.');
      problems.push({ file: reason.startsWith(`${source}:`) ? source : manifest.file, reason });
    }
  }
  return { models, problems };
}

/** Opens the file once and checks its inputs and outputs against the contract. */
async function checkModelFile(manifest: ModelManifest, path: string): Promise<void> {
  const ort = await import('onnxruntime-node');
  let session;
  try {
    session = await ort.InferenceSession.create(path, { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'disabled' });
  } catch (error) {
    throw new Error(`${basename(path)} cannot be loaded by ONNX Runtime: ${(error as Error).message}`, { cause: error });
  }
  try {
    const { inputs, outputs } = sessionIo(session);
    const problem = getContract(manifest).checkIo(inputs, outputs);
    if (problem) throw new Error(`${basename(path)} does not fit the ${manifest.contract} contract: ${problem}`);
  } finally {
    await session.release();
  }
}
