// Signature help inside the arguments of a layer or block call: the parameters with their defaults,
// the one being written highlighted.

import type { Connection } from 'vscode-languageserver/node';
import type { Analysis } from '../core/analysis';
import type { LayerOp } from '../core/model';
import { isLayerOp, ops } from '../core/ops';
import { preludeText } from '../core/prelude';
import type { SignatureInfo } from './items';
import { toSignatureHelp } from './convert';
import { cursorAt } from './cursor';
import type { Documents } from './documents';

export function registerSignatureHelp(connection: Connection, documents: Documents): void {
  connection.onSignatureHelp((params, token) => {
    const analysed = documents.analysed(params.textDocument.uri);
    if (!analysed || token.isCancellationRequested) return null;
    const info = signatureAt(analysed.analysis, analysed.analysis.lines.offset(params.position));
    return info ? toSignatureHelp(info) : null;
  });
}

export function signatureAt(analysis: Analysis, offset: number): SignatureInfo | undefined {
  const { cursor } = cursorAt(analysis, offset);
  if (cursor.kind !== 'argument') return undefined;
  const signature = calleeSignature(cursor.callee, analysis);
  if (!signature) return undefined;
  const byKeyword = cursor.keyword ? signature.parameters.findIndex((p) => p.name === cursor.keyword) : -1;
  return { ...signature, active: byKeyword >= 0 ? byKeyword : cursor.index };
}

export function layerSignature(op: LayerOp): Omit<SignatureInfo, 'active'> {
  const parameters = ops[op].params.map((p) => {
    const value = p.defaultText ?? (p.default === undefined ? undefined : String(p.default));
    return { name: p.name, label: value === undefined ? p.name : `${p.name}=${value}`, documentation: p.doc };
  });
  return { label: `${op}(${parameters.map((p) => p.label).join(', ')})`, parameters, documentation: ops[op].doc };
}

/** The signature of a layer op or of a block visible to the file. */
export function calleeSignature(callee: string, analysis: Analysis): Omit<SignatureInfo, 'active'> | undefined {
  if (isLayerOp(callee)) return layerSignature(callee);
  const entry = analysis.blocks.get(callee);
  if (!entry) return undefined;
  const text = entry.source === 'prelude' ? preludeText : analysis.text;
  const parameters = entry.declaration.parameters.map((p) => ({ name: p.name.text, label: p.default ? `${p.name.text}=${text.slice(p.default.span.start, p.default.span.end)}` : p.name.text }));
  return { label: `${callee}(${parameters.map((p) => p.label).join(', ')})`, parameters, documentation: `block, from ${entry.source === 'prelude' ? 'the prelude' : 'this file'}` };
}
