import { open } from 'node:fs/promises';
import type { RandomAccessFile } from './ObjectStore.js';

/** A local file for ranged reads; ffmpeg may open it with the file protocol only. */
export async function openLocalFile(path: string): Promise<RandomAccessFile & { release: () => Promise<void> }> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    return {
      size,
      read: async (position, length) => {
        const buffer = new Uint8Array(length);
        const { bytesRead } = await file.read(buffer, 0, length, position);
        return buffer.subarray(0, bytesRead);
      },
      ffmpegInput: { url: `file:${path}`, protocols: 'file' },
      release: () => file.close(),
    };
  } catch (error) {
    await file.close();
    throw error;
  }
}
