// `resnet-studio summary FILE`: a torchinfo-style table per network, or --json.

import { analyze } from '../../language/core/analysis';
import { formatCount, formatScaled, formatShape, macsText } from '../../language/core/format';
import type { Network } from '../../language/core/model';
import { flattenLayers } from '../../language/core/walk';
import { parseCommand } from '../args';
import type { CliIo } from '../io';
import { readSource, toJson } from '../io';

export function summaryJson(network: Network) {
  return {
    network: network.name,
    input: network.input ? [1, ...network.input] : null,
    params: network.params,
    macs: network.macs,
    layers: flattenLayers(network).map(({ name, layer }) => ({
      name,
      type: layer.op,
      outputShape: layer.outputShape ?? null,
      params: layer.params,
      macs: layer.macs,
    })),
  };
}

/** `partial`: the file has errors, so the totals are those of the layers known, not the network's. */
function table(network: Network, partial: boolean): string {
  const rows = flattenLayers(network).map(({ name, layer, depth }) => [
    '  '.repeat(depth) + name,
    layer.op,
    formatShape(layer.outputShape),
    layer.params ? formatCount(layer.params) : '--',
    layer.macs ? formatCount(layer.macs) : '--',
  ]);
  const header = ['Layer', 'Type', 'Output shape', 'Params', 'MACs'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i >= 3 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd();
  const rule = '='.repeat(widths.reduce((a, b) => a + b + 2, -2));
  return [
    `${network.name}: input ${formatShape(network.input && [1, ...network.input])}`,
    rule,
    line(header),
    rule,
    ...rows.map(line),
    rule,
    `Total params: ${formatCount(network.params)}${partial ? ' (of the layers above only: the file has errors)' : ''}`,
    `Total MACs:   ${formatCount(network.macs)} (${macsText(network.macs)}; FLOPs = 2 × MACs = ${formatScaled(2n * network.macs, 'FLOPs')})${partial ? ' (partial)' : ''}`,
    `Output:       ${formatShape(network.outputShape)}`,
    'MACs count the multiply-accumulates of conv and linear layers (torchvision\'s convention).',
    '',
  ].join('\n');
}

export const spec = {
  name: 'summary',
  args: ['FILE'],
  summary: 'torchinfo-style table per network: layer, type, output shape, params, MACs',
  options: { json: { type: 'boolean', help: 'the table as JSON, counts as exact integers' } },
} as const;

export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommand(spec, args, io);
  if (typeof parsed === 'number') return parsed;
  const json = parsed.options.json ?? false;
  const [file] = parsed.args as [string];
  const text = await readSource(file, io);
  if (text === undefined) return 1;
  const analysis = analyze(text);
  if (analysis.networks.length === 0) {
    io.stderr(`${file}: no network in this file\n`);
    return 1;
  }
  const errors = analysis.diagnostics.filter((d) => d.severity === 'error').length;
  if (json) {
    const out = analysis.networks.map(summaryJson);
    io.stdout(toJson(out.length === 1 ? out[0] : out) + '\n');
  } else {
    io.stdout(analysis.networks.map((network) => table(network, errors > 0)).join('\n'));
    if (errors) io.stdout(`\n${errors} error${errors === 1 ? '' : 's'}: run 'resnet-studio check ${file}' for details; unknown shapes show as '?'.\n`);
  }
  return errors ? 1 : 0;
}
