/** Output formats of spec/api.md ("Output formats"); the extension equals the format id. */
export const outputFormats = ['wav', 'aiff', 'flac', 'mp3', 'mp4'] as const;
export type OutputFormat = (typeof outputFormats)[number];

export function isOutputFormat(value: string): value is OutputFormat {
  return (outputFormats as readonly string[]).includes(value);
}

/** Input formats accepted by content (spec/api.md "Assets"). */
export const inputFormats = {
  audio: ['wav', 'aiff', 'flac', 'mp3', 'aac', 'm4a', 'ogg', 'opus'],
  video: ['mp4', 'mov'],
} as const;
