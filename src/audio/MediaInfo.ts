import type { Demuxer } from './sniffContainer.js';

/** What probing an input tells us before decoding it. */
export interface MediaInfo {
  /** The demuxer the content was identified as; every later ffmpeg run on the file forces it. */
  demuxer?: Demuxer;
  /** ffmpeg's demuxer names, e.g. `wav` or `mov,mp4,m4a,3gp,3g2,mj2`. */
  container: string;
  /** From the container header; null when the container does not say (some streams). */
  durationSeconds: number | null;
  audio: AudioStreamInfo | null;
  /** The first real video stream; cover art in audio files is not counted. */
  video: VideoStreamInfo | null;
  /** ISO base media files: the major brand (`qt` for QuickTime .mov, `isom`/`mp42` for .mp4, `M4A` for .m4a). */
  majorBrand?: string;
}

export interface AudioStreamInfo {
  codec: string;
  sampleRate: number;
  channels: number;
  /** Bits per sample of lossless PCM-like codecs; null for lossy or float sources. */
  bitDepth: number | null;
}

export interface VideoStreamInfo {
  codec: string;
}
