// A template's totals for the picker, in the notation of every other view: '11,689,512 params · 1.82 GMACs'.

import { analyze } from '../language/core/analysis';
import { formatCount, macsText } from '../language/core/format';

export function templateSummary(text: string): string {
  const [network] = analyze(text).networks;
  return network ? `${formatCount(network.params)} params · ${macsText(network.macs)}` : '';
}
