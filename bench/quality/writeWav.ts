// Writes planar Float32 channels as a 32-bit float WAV, so stems and mixture
// round-trip bit-exactly through the cache and any CLI can read the mixture;
// 16-bit PCM halves the size of training data, where -96 dB of noise is harmless.

import { writeFile } from 'node:fs/promises';

export async function writeWav(path: string, channels: readonly Float32Array[], sampleRate: number, bits: 16 | 32 = 32): Promise<void> {
  await writeFile(path, bits === 16 ? encodePcm16Wav(channels, sampleRate) : encodeWav(channels, sampleRate));
}

/** Canonical 44-byte-header PCM WAV; samples are rounded and clamped to [-1, 1). */
export function encodePcm16Wav(channels: readonly Float32Array[], sampleRate: number): Uint8Array {
  const { numChannels, frames } = shapeOf(channels);
  const dataBytes = frames * numChannels * 2;
  const buf = new ArrayBuffer(44 + dataBytes);
  const view = new DataView(buf);
  const ascii = (o: number, s: string): void => {
    for (let i = 0; i < 4; i++) view.setUint8(o + i, s.charCodeAt(i));
  };
  ascii(0, 'RIFF');
  view.setUint32(4, 36 + dataBytes, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // WAVE_FORMAT_PCM
  view.setUint16(22, numChannels, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * numChannels * 2, true);
  view.setUint16(32, numChannels * 2, true);
  view.setUint16(34, 16, true);
  ascii(36, 'data');
  view.setUint32(40, dataBytes, true);
  let o = 44;
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < numChannels; c++) {
      view.setInt16(o, Math.max(-32768, Math.min(32767, Math.round(channels[c][i] * 32768))), true);
      o += 2;
    }
  }
  return new Uint8Array(buf);
}

export function encodeWav(channels: readonly Float32Array[], sampleRate: number): Uint8Array {
  const { numChannels, frames } = shapeOf(channels);
  const dataBytes = frames * numChannels * 4;
  // RIFF + fmt (18-byte WAVE_FORMAT_IEEE_FLOAT) + fact + data, as the spec asks for non-PCM data.
  const headerBytes = 12 + 8 + 18 + 8 + 4 + 8;
  const buf = new ArrayBuffer(headerBytes + dataBytes);
  const view = new DataView(buf);
  let o = 0;
  const tag = (s: string): void => {
    for (let i = 0; i < 4; i++) view.setUint8(o++, s.charCodeAt(i));
  };
  const u32 = (v: number): void => {
    view.setUint32(o, v, true);
    o += 4;
  };
  const u16 = (v: number): void => {
    view.setUint16(o, v, true);
    o += 2;
  };
  tag('RIFF');
  u32(buf.byteLength - 8);
  tag('WAVE');
  tag('fmt ');
  u32(18);
  u16(3); // WAVE_FORMAT_IEEE_FLOAT
  u16(numChannels);
  u32(sampleRate);
  u32(sampleRate * numChannels * 4);
  u16(numChannels * 4);
  u16(32);
  u16(0); // cbSize
  tag('fact');
  u32(4);
  u32(frames);
  tag('data');
  u32(dataBytes);
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < numChannels; c++) {
      view.setFloat32(o, channels[c][i], true);
      o += 4;
    }
  }
  return new Uint8Array(buf);
}

function shapeOf(channels: readonly Float32Array[]): { numChannels: number; frames: number } {
  if (channels.length === 0) throw new Error('writeWav: no channels');
  const frames = channels[0].length;
  if (channels.some((c) => c.length !== frames)) throw new Error('writeWav: channels differ in length');
  return { numChannels: channels.length, frames };
}
