// The image formats inference reads: the decoder accepts them, a labelled folder lists their files, the
// extension's pickers and menus offer them, and the docs name them. Pure, so the extension can import it.

export interface ImageFormat {
  /** How messages name it. */
  name: string;
  /** File name extensions, lower case with the dot. */
  extensions: string[];
  /** sharp's `metadata().format` for it; undefined for BMP, which sharp cannot read (bmp.ts decodes it). */
  sharp?: string;
}

export const IMAGE_FORMATS: readonly ImageFormat[] = [
  { name: 'PNG', extensions: ['.png'], sharp: 'png' },
  { name: 'JPEG', extensions: ['.jpg', '.jpeg'], sharp: 'jpeg' },
  { name: 'BMP', extensions: ['.bmp'] },
  { name: 'GIF', extensions: ['.gif'], sharp: 'gif' },
  { name: 'WebP', extensions: ['.webp'], sharp: 'webp' },
  { name: 'TIFF', extensions: ['.tif', '.tiff'], sharp: 'tiff' },
  // sharp's prebuilt libvips decodes AVIF but not HEIC, though it names both 'heif'.
  { name: 'AVIF', extensions: ['.avif'], sharp: 'heif' },
];

export const IMAGE_EXTENSIONS: readonly string[] = IMAGE_FORMATS.flatMap((f) => f.extensions);

/** "PNG, JPEG, BMP, GIF, WebP, TIFF, AVIF". */
export const IMAGE_FORMAT_NAMES = IMAGE_FORMATS.map((f) => f.name).join(', ');

/** A workspace glob for their files, each extension in lower and upper case (VS Code's globs are case-sensitive). */
export function imageGlob(): string {
  const names = IMAGE_EXTENSIONS.map((e) => e.slice(1));
  return `**/*.{${[...names, ...names.map((n) => n.toUpperCase())].join(',')}}`;
}

/** Whether a file name ends in a supported image extension (any case). */
export function hasImageExtension(name: string): boolean {
  const dot = name.lastIndexOf('.');
  return dot >= 0 && IMAGE_EXTENSIONS.includes(name.slice(dot).toLowerCase());
}

/** Video files the editor's clip picker offers (a clip reader accepts any file ffmpeg can decode). */
export const VIDEO_EXTENSIONS: readonly string[] = ['.mp4', '.m4v', '.mov', '.avi', '.mkv', '.webm', '.mpg', '.mpeg'];

/** Files that are a clip by themselves: an animated GIF or WebP, or a video. */
export const CLIP_FILE_EXTENSIONS: readonly string[] = ['.gif', '.webp', ...VIDEO_EXTENSIONS];

/** Whether a file name ends in a clip file's extension (any case). */
export function hasClipExtension(name: string): boolean {
  const dot = name.lastIndexOf('.');
  return dot >= 0 && CLIP_FILE_EXTENSIONS.includes(name.slice(dot).toLowerCase());
}
