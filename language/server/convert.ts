// The one file that knows LSP types: turns the core's values into protocol values. The core's ranges
// are already LSP-shaped (zero-based line, UTF-16 character), so ranges pass through unchanged.

import {
  CodeActionKind,
  DiagnosticSeverity,
  type CodeAction,
  type CodeLens,
  type CompletionItem,
  CompletionItemKind,
  type Diagnostic as LspDiagnostic,
  type DocumentSymbol,
  type FoldingRange,
  type Hover,
  type InlayHint,
  InlayHintKind,
  InsertTextFormat,
  type Location,
  MarkupKind,
  type SelectionRange,
  type SignatureHelp,
  SymbolKind,
  type TextEdit as LspTextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import type { Diagnostic, Fix, Range, Severity, SourceId, TextEdit } from '../core/model';
import { preludeUri } from '../../contracts/server';
import type { Completion, OutlineEntry, SignatureInfo } from './items';

const severities: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
};

export const uriOf = (source: SourceId, documentUri: string) => (source === 'prelude' ? preludeUri : documentUri);

export function toDiagnostic(d: Diagnostic, documentUri: string): LspDiagnostic {
  return {
    range: d.range,
    severity: severities[d.severity],
    code: d.code,
    source: 'resnet',
    message: d.message,
    relatedInformation: d.related.map((r) => ({ location: { uri: uriOf(r.location.source, documentUri), range: r.location.range }, message: r.message })),
  };
}

export function toLocation(uri: string, range: Range): Location {
  return { uri, range };
}

export function toTextEdits(edits: TextEdit[]): LspTextEdit[] {
  return edits.map((e) => ({ range: e.range, newText: e.newText }));
}

export function toQuickFix(fix: Fix, diagnostic: Diagnostic, documentUri: string, preferred: boolean): CodeAction {
  const edit: WorkspaceEdit = { changes: { [documentUri]: toTextEdits(fix.edits) } };
  return { title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [toDiagnostic(diagnostic, documentUri)], edit, isPreferred: preferred };
}

export function toRenameEdit(documentUri: string, edits: TextEdit[]): WorkspaceEdit {
  return { changes: { [documentUri]: toTextEdits(edits) } };
}

export function toHover(markdown: string, range: Range): Hover {
  return { contents: { kind: MarkupKind.Markdown, value: markdown }, range };
}

export function toInlayHint(position: Range['start'], label: string, tooltip: string): InlayHint {
  return { position, label, kind: InlayHintKind.Type, paddingLeft: true, tooltip };
}

export function toCodeLens(range: Range, title: string, command: string, args: unknown[]): CodeLens {
  return { range, command: { title, command, arguments: args } };
}

const completionKinds: Record<Completion['kind'], CompletionItemKind> = {
  layer: CompletionItemKind.Function,
  block: CompletionItemKind.Class,
  keyword: CompletionItemKind.Keyword,
  parameter: CompletionItemKind.Property,
  value: CompletionItemKind.Value,
  name: CompletionItemKind.Variable,
  snippet: CompletionItemKind.Snippet,
};

export function toCompletionItem(c: Completion): CompletionItem {
  return {
    label: c.label,
    kind: completionKinds[c.kind],
    detail: c.detail,
    documentation: c.documentation ? { kind: MarkupKind.Markdown, value: c.documentation } : undefined,
    insertText: c.insertText ?? c.label,
    insertTextFormat: c.snippet ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
    sortText: c.sortText,
    // Re-open the list after `name=` so values follow.
    command: c.insertText?.endsWith('=') ? { title: 'values', command: 'editor.action.triggerSuggest' } : undefined,
  };
}

export function toSignatureHelp(info: SignatureInfo): SignatureHelp {
  return {
    signatures: [{ label: info.label, documentation: info.documentation && { kind: MarkupKind.Markdown, value: info.documentation }, parameters: info.parameters.map((p) => ({ label: p.label, documentation: p.documentation })) }],
    activeSignature: 0,
    activeParameter: info.active,
  };
}

const symbolKinds: Record<OutlineEntry['kind'], SymbolKind> = {
  network: SymbolKind.Module,
  block: SymbolKind.Class,
  layer: SymbolKind.Field,
  stage: SymbolKind.Array,
  parameter: SymbolKind.TypeParameter,
  constant: SymbolKind.Constant,
};

export function toDocumentSymbol(entry: OutlineEntry): DocumentSymbol {
  return {
    name: entry.name,
    detail: entry.detail,
    kind: symbolKinds[entry.kind],
    range: entry.range,
    selectionRange: entry.selectionRange,
    children: entry.children.map(toDocumentSymbol),
  };
}

export function toFoldingRange(startLine: number, endLine: number, comment: boolean): FoldingRange {
  return { startLine, endLine, kind: comment ? 'comment' : undefined };
}

export function toSelectionRange(ranges: Range[]): SelectionRange | undefined {
  let parent: SelectionRange | undefined;
  for (const range of [...ranges].reverse()) parent = { range, parent };
  return parent;
}
