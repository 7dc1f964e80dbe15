import sharp from 'sharp';
import { readFileSync } from 'node:fs';
const buf = readFileSync('/tmp/synth.jpg');
const variants = {
  base: () => sharp(buf, { failOn: 'error', ignoreIcc: true, autoOrient: false }).raw().toBuffer({ resolveWithObject: true }),
  seq: () => sharp(buf, { failOn: 'error', ignoreIcc: true, autoOrient: false, sequentialRead: true }).raw().toBuffer({ resolveWithObject: true }),
  uchar: () => sharp(buf, { failOn: 'error', ignoreIcc: true, autoOrient: false }).raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true }),
  nofail: () => sharp(buf, { ignoreIcc: true, autoOrient: false, sequentialRead: true }).raw().toBuffer({ resolveWithObject: true }),
};
const t = Object.fromEntries(Object.keys(variants).map((k) => [k, []]));
for (let i = 0; i < 150; i++) for (const [k, f] of Object.entries(variants)) { const s = performance.now(); await f(); if (i >= 20) t[k].push(performance.now() - s); }
for (const [k, v] of Object.entries(t)) { v.sort((a, b) => a - b); console.log(k, 'median', v[v.length >> 1].toFixed(2), 'p10', v[Math.floor(v.length * 0.1)].toFixed(2)); }
