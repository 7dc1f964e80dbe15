// What sits at an offset: the declaration and statement under the cursor, and the analysed network
// of a network declaration. The nodes a statement made are in the analysis's source map.

import type { Analysis } from './analysis';
import type { Network } from './model';
import type { Declaration, NetworkDeclaration, Span, Statement } from './syntax';

export const contains = (span: Span, offset: number) => span.start <= offset && offset <= span.end;

export function declarationAt(analysis: Analysis, offset: number): Declaration | undefined {
  return analysis.tree.declarations.find((d) => contains(d.span, offset));
}

export function statementAt(declaration: Declaration, offset: number): Statement | undefined {
  return declaration.body.statements.find((s) => contains(s.span, offset));
}

/** The analysed network of a network declaration (networks are analysed in declaration order). */
export function networkOf(analysis: Analysis, declaration: NetworkDeclaration): Network | undefined {
  const index = analysis.tree.declarations.filter((d) => d.kind === 'network').indexOf(declaration);
  return index < 0 ? undefined : analysis.networks[index];
}
