// Checks on what the webview sends as an export before it is written to the user's disk.

import { maxExportLength } from '../contracts/preview';

/** The export as bytes if it is an SVG document. */
export function svgBytes(data: string): Uint8Array | undefined {
  if (data.length > maxExportLength || !/^(<\?xml[^>]*>\s*)?<svg[\s>]/.test(data)) return undefined;
  return new TextEncoder().encode(data);
}

const pngSignature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** The export as bytes if it is base64 of a PNG file. */
export function pngBytes(data: string): Uint8Array | undefined {
  if (data.length > maxExportLength || !/^[A-Za-z0-9+/]+={0,2}$/.test(data)) return undefined;
  const bytes = Buffer.from(data, 'base64');
  return pngSignature.every((b, i) => bytes[i] === b) ? new Uint8Array(bytes) : undefined;
}
