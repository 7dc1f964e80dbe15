// Generated .resnet cases: too big, too deep or not text enough to commit. Each entry's expected
// message is <name>.expected beside this file.
import type { Generator } from '../../unit/hostile/catalogue';
import { seeded } from '../../unit/hostile/catalogue';

const depth = 10_000;
const wrap = (line: string) => `network n {\n  input 3x8x8\n  ${line}\n}\n`;

export const generated: Record<string, Generator> = {
  'random-bytes': {
    description: '100,000 seeded random bytes (decoded as UTF-8 with replacement, as the editor does)',
    make: () => {
      const random = seeded(1);
      return Buffer.from(Array.from({ length: 100_000 }, () => Math.floor(random() * 256)));
    },
  },
  'ten-megabytes': {
    description: 'one network of 10 MB: 435,000 numbered conv layers',
    make: () => {
      const layer = '  c conv(8, padding=1)\n';
      const count = Math.ceil(10e6 / layer.length);
      return 'network big {\n  input 8x8x8\n' + Array.from({ length: count }, (_, i) => layer.replace('c ', `c${i} `)).join('') + '}\n';
    },
  },
  'nesting-parentheses': { description: `${depth} nested parentheses around a channel count`, make: () => wrap(`c conv(${'('.repeat(depth)}8${')'.repeat(depth)})`) },
  'nesting-brackets': { description: `${depth} unclosed [ in an argument list`, make: () => wrap(`c conv(${'['.repeat(depth)})`) },
  'nesting-unary': { description: `${depth} alternating + - operators`, make: () => wrap(`c conv(8 ${'+ -'.repeat(depth)} 1)`) },
  'nesting-sum': { description: `a sum of ${depth} terms`, make: () => wrap(`c conv(8 ${'+ 1'.repeat(depth)})`) },
  'nesting-braces': { description: `${depth} nested braces and nothing else`, make: () => '{'.repeat(depth) + '}'.repeat(depth) },
  'nesting-block-chain': {
    description: 'a chain of 200 blocks, each calling the next (deeper than the instantiation limit)',
    make: () =>
      Array.from({ length: 200 }, (_, i) => `block b${i}(c) {\n  x b${i + 1}(c)\n}\n`).join('') +
      'block b200(c) {\n  conv1 conv(c)\n}\nnetwork n {\n  input 3x8x8\n  top b0(4)\n}\n',
  },
  'nul-bytes': { description: 'a NUL byte after a layer and another inside a name', make: () => wrap('c conv(8)\u0000\n  d\u0000x conv(8)') },
  'invalid-utf8': {
    description: 'lone continuation bytes, an overlong encoding and a truncated sequence inside a network',
    make: () => Buffer.concat([Buffer.from('network n {\n  input 3x8x8\n  c conv(8) '), Buffer.from([0x80, 0xc0, 0xaf, 0xe2, 0x82]), Buffer.from('\n  d conv(8)\n}\n')]),
  },
  crlf: {
    description: 'CRLF line ends with an unknown layer type on line 4',
    make: () => 'network n {\r\n  input 3x8x8\r\n  c conv(8, padding=1)\r\n  x convv(8)\r\n}\r\n',
  },
  'mixed-line-ends': {
    description: 'LF, CR and CRLF line ends mixed, with an unknown layer type on line 4',
    make: () => 'network n {\n  input 3x8x8\r  c conv(8, padding=1)\r\n  x convv(8)\n}\r',
  },
};
