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

export class SourceMap {
  private readonly produced = new Map<string, Produced[]>();

  constructor(networks: readonly Network[]) {
    for (const network of networks) this.visit(network, network.children, undefined);
  }

  /** The nodes a statement of the file (or of the prelude) made, in network order. */
  nodesOf(source: SourceId, statement: Span): readonly Produced[] {
    return this.produced.get(key({ source, span: statement })) ?? [];
  }

  private visit(network: Network, nodes: readonly ModelNode[], parent: string | undefined): void {
    for (const node of nodes) {
      const statement = key(statementOf(node));
      if (statement !== parent) {
        const list = this.produced.get(statement);
        if (list) list.push({ network, node });
        else this.produced.set(statement, [{ network, node }]);
      }
      const children = node.kind === 'add' ? node.layers : node.kind === 'layer' ? [] : node.children;
      this.visit(network, children, statement);
    }
  }
}

/** Where a node is written: inside a block, its statement there (possibly in the prelude); else its statement in the network. */
export function statementOf(node: ModelNode): SourceSpan {
  return node.definition ?? { source: 'file', span: node.range };
}

const key = ({ source, span }: SourceSpan) => `${source}:${span.start}:${span.end}`;
