// Reads the WAV files this benchmark meets (its own float output, fluidsynth's
// float output with PEAK chunk, sox output) into planar Float32 channels.

import { readFile } from 'node:fs/promises';

export interface WavAudio {
  sampleRate: number;
  channels: Float32Array[];
}

export async function readWav(path: string): Promise<WavAudio> {
  const bytes = await readFile(path);
  try {
    return decodeWav(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (err) {
    throw new Error(`${path}: ${(err as Error).message}`, { cause: err });
  }
}

export function decodeWav(bytes: Uint8Array): WavAudio {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number): string => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (bytes.length < 12 || tag(0) !== 'RIFF' || tag(8) !== 'WAVE') throw new Error('not a RIFF/WAVE file');
  let format = -1;
  let numChannels = 0;
  let sampleRate = 0;
  let bits = 0;
  let dataStart = -1;
  let dataLength = 0;
  for (let o = 12; o + 8 <= bytes.length; ) {
    const id = tag(o);
    const size = view.getUint32(o + 4, true);
    const body = o + 8;
    if (id === 'fmt ') {
      format = view.getUint16(body, true);
      numChannels = view.getUint16(body + 2, true);
      sampleRate = view.getUint32(body + 4, true);
      bits = view.getUint16(body + 14, true);
      // WAVE_FORMAT_EXTENSIBLE: the real format code opens the sub-format GUID.
      if (format === 0xfffe && size >= 40) format = view.getUint16(body + 24, true);
    } else if (id === 'data') {
      dataStart = body;
      // Streaming writers may leave a placeholder size; trust the file length then.
      dataLength = Math.min(size, bytes.length - body);
      break;
    }
    o = body + size + (size & 1); // chunks are word aligned
  }
  if (format < 0) throw new Error('no fmt chunk');
  if (dataStart < 0) throw new Error('no data chunk');
  if (numChannels < 1) throw new Error('no channels');
  const bytesPerSample = bits / 8;
  const isFloat = format === 3;
  if (!(format === 1 && [8, 16, 24, 32].includes(bits)) && !(isFloat && (bits === 32 || bits === 64))) {
    throw new Error(`unsupported WAV sample format ${format} with ${bits} bits`);
  }
  const frames = Math.floor(dataLength / (bytesPerSample * numChannels));
  const channels = Array.from({ length: numChannels }, () => new Float32Array(frames));
  let o = dataStart;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < numChannels; c++) {
      let v: number;
      if (isFloat) v = bits === 32 ? view.getFloat32(o, true) : view.getFloat64(o, true);
      else if (bits === 16) v = view.getInt16(o, true) / 32768;
      else if (bits === 24) v = ((view.getUint8(o + 2) << 24) | (view.getUint16(o, true) << 8)) / 2147483648;
      else if (bits === 32) v = view.getInt32(o, true) / 2147483648;
      else v = (view.getUint8(o) - 128) / 128;
      channels[c][i] = v;
      o += bytesPerSample;
    }
  }
  return { sampleRate, channels };
}
