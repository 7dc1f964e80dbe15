// A problem inside a block defined in the file is reported at the network statement that called it
// (elaborate.ts) and, collected here, once where the bug is: on the block's own line, naming the
// instances it occurs in ("in layer1.0 and layer2.0"), each call pointing at the other.

import type { Diagnostic, RelatedInformation } from './model';
import type { Span } from './syntax';

interface Site {
  /** The problem as the first failing instance reports it, at the span inside the block. */
  first: Diagnostic;
  instances: string[];
  calls: RelatedInformation[];
}

const listed = 3;

export class BlockSites {
  private readonly sites = new Map<string, Site>();

  /** One instance's problem at `diagnostic.span` inside the block; `callSite` is the network statement that made the instance. */
  note(diagnostic: Diagnostic, instance: string, callSite: Span): void {
    const key = `${diagnostic.code}|${diagnostic.span.start}|${diagnostic.span.end}`;
    let site = this.sites.get(key);
    if (!site) this.sites.set(key, (site = { first: diagnostic, instances: [], calls: [] }));
    if (!site.instances.includes(instance)) site.instances.push(instance);
    if (!site.calls.some((c) => c.span.start === callSite.start && c.span.end === callSite.end)) {
      site.calls.push({ source: 'file', span: callSite, message: `called here (${instance})` });
    }
  }

  diagnostics(): Diagnostic[] {
    return [...this.sites.values()].map(({ first, instances, calls }) => ({
      ...first,
      message: `In ${instanceList(instances)}: ${first.message}`,
      related: [...calls, ...first.related],
      instances,
    }));
  }
}

/** 'layer1.0', 'layer1.0 and layer2.0', 'layer1.0, layer2.0, layer3.0 and 2 more'. */
export function instanceList(instances: string[]): string {
  const names = instances.map(shortInstance);
  if (names.length === 1) return names[0];
  if (names.length <= listed) return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  return `${names.slice(0, listed).join(', ')} and ${names.length - listed} more`;
}

/** A deeply nested instance keeps its outer and inner two levels: 'top.x.….x.x (65 levels)'. */
function shortInstance(name: string): string {
  const parts = name.split('.');
  if (parts.length <= 6) return name;
  return `${parts.slice(0, 2).join('.')}.….${parts.slice(-2).join('.')} (${parts.length} levels)`;
}
