import { describe, expect, it } from 'vitest';
import { id3Length, sniffContainer } from '../../src/audio/sniffContainer.js';

const bytes = (...parts: (string | number[])[]) => new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p, 'latin1')] : p)));
// An MPEG-1 Layer III frame header at 128 kb/s, 44.1 kHz: 417 bytes per frame.
const mp3Frame = () => [0xff, 0xfb, 0x90, 0x64, ...new Array(413).fill(0)];
// An ADTS AAC frame header announcing a 20-byte frame.
const adtsFrame = () => [0xff, 0xf1, 0x50, 0x80, 0x02, 0x9f, 0xfc, ...new Array(13).fill(0)];

describe('sniffContainer: accepted formats by content', () => {
  it('recognises every accepted container', () => {
    expect(sniffContainer(bytes('RIFF', [0, 0, 0, 0], 'WAVEfmt '))).toBe('wav');
    expect(sniffContainer(bytes('RF64', [0, 0, 0, 0], 'WAVEds64'))).toBe('wav');
    expect(sniffContainer(bytes('FORM', [0, 0, 0, 0], 'AIFFCOMM'))).toBe('aiff');
    expect(sniffContainer(bytes('FORM', [0, 0, 0, 0], 'AIFCFVER'))).toBe('aiff');
    expect(sniffContainer(bytes('fLaC', [0, 0, 0, 34], '0123456789'))).toBe('flac');
    expect(sniffContainer(bytes('OggS', [0, 2], '0123456789'))).toBe('ogg');
    expect(sniffContainer(bytes([0, 0, 0, 0x20], 'ftypisom', [0, 0, 2, 0]))).toBe('mov');
    expect(sniffContainer(bytes([0, 0, 0, 0x14], 'ftypqt  ', [0, 0, 2, 0]))).toBe('mov');
    expect(sniffContainer(bytes([0, 0, 0, 0x08], 'wide', [0, 0, 2, 0]))).toBe('mov');
    expect(sniffContainer(bytes(mp3Frame(), mp3Frame()))).toBe('mp3');
    expect(sniffContainer(bytes(adtsFrame(), adtsFrame()))).toBe('aac');
  });

  it('looks behind an ID3v2 tag', () => {
    const tag = bytes('ID3', [3, 0, 0, 0, 0, 0x01, 0x00]);
    expect(id3Length(tag)).toBe(10 + 128);
    expect(sniffContainer(tag, bytes(mp3Frame(), mp3Frame()))).toBe('mp3');
    expect(sniffContainer(tag, bytes('fLaC', [0, 0, 0, 34]))).toBe('flac');
    expect(sniffContainer(tag, bytes('#EXTM3U\n'))).toBeNull();
    expect(sniffContainer(tag)).toBeNull();
  });

  it('refuses playlists, text and containers outside the contract', () => {
    expect(sniffContainer(bytes('#EXTM3U\n#EXT-X-VERSION:3\n'))).toBeNull();
    expect(sniffContainer(bytes('ffconcat version 1.0\nfile /etc/passwd\n'))).toBeNull();
    expect(sniffContainer(bytes('<?xml version="1.0"?><MPD>'))).toBeNull();
    expect(sniffContainer(bytes([0x1a, 0x45, 0xdf, 0xa3], '0123456789abcdef'))).toBeNull(); // Matroska
    expect(sniffContainer(bytes('.snd', [0, 0, 0, 24], '01234567'))).toBeNull(); // Sun AU
    expect(sniffContainer(bytes('RIFF', [0, 0, 0, 0], 'AVI LIST'))).toBeNull();
    expect(sniffContainer(bytes([0xff, 0xfb, 0x90, 0x64], [0x41, 0x41, 0x41, 0x41], new Array(420).fill(0x41)))).toBeNull(); // one frame, then no sync
    expect(sniffContainer(new Uint8Array(0))).toBeNull();
  });
});
