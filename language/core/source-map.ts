// Which statement made which model node, both ways. A statement of a network made one node (for
// `layer2 bottleneck(128) x4`, the stage); a statement inside a block made one node in every
// instance of the block, across all calls. The nodes a statement made inside a node of its own (a
// stage's blocks, a projection shortcut's conv and batchnorm) are left to that node.

import type { ModelNode, Network, SourceId, SourceSpan } from './model';
import type { Span } from './syntax';

export interface Produced {
  network: Network;
  node: ModelNode;
}

/** Built on the first question: analysing a file (as the CLI and every keystroke do) does not pay for it. */
export class SourceMap {
  private produced: Map<string, Produced[]> | undefined;

  constructor(private readonly networks: readonly Network[]) {}

  /** The nodes a statement of the file (or of the prelude) made, in network order. */
  nodesOf(source: SourceId, statement: Span): readonly Produced[] {
    if (!this.produced) {
      this.produced = new Map();
      for (const network of this.networks) this.visit(this.produced, network, network.children, undefined);
    }
    return this.produced.get(key({ source, span: statement })) ?? [];
  }

  private visit(produced: Map<string, Produced[]>, network: Network, nodes: readonly ModelNode[], parent: string | undefined): void {
    for (const node of nodes) {
      const statement = key(statementOf(node));
      if (statement !== parent) {
        const list = produced.get(statement);
        if (list) list.push({ network, node });
        else produced.set(statement, [{ network, node }]);
      }
      const children = node.kind === 'add' ? node.layers : node.kind === 'block' || node.kind === 'stage' ? node.children : [];
      this.visit(produced, network, children, statement);
    }
  }
}

/** Where a node is written: inside a block, its statement there (possibly in the prelude); else its statement in the network. */
export function statementOf(node: ModelNode): SourceSpan {
  return node.definition ?? { source: 'file', span: node.range };
}

const key = ({ source, span }: SourceSpan) => `${source}:${span.start}:${span.end}`;
