// The one file that knows LSP types: turns the core's values into protocol values, and the core's
// spans (offsets) into LSP ranges with the document's LineMap (the prelude's, for a span in the prelude).

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
import { commands } from '../../contracts/server';
import { prelude } from '../core/analysis';
import type { Diagnostic, Fix, Severity, SourceSpan, TextEdit } from '../core/model';
import type { LineMap } from '../core/positions';
import type { Span } from '../core/syntax';
import type { Completion, OutlineEntry, SignatureInfo } from './items';
import { preludeLocation } from './prelude-location';

const severities: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
};

/** A span of the document (with its `lines`) or of the prelude, as an LSP location. */
export function toLocation({ source, span }: SourceSpan, documentUri: string, lines: LineMap): Location {
  return source === 'prelude' ? { uri: preludeLocation(), range: prelude().lines.range(span) } : { uri: documentUri, range: lines.range(span) };
}

export function toDiagnostic(d: Diagnostic, documentUri: string, lines: LineMap): LspDiagnostic {
  return {
    range: lines.range(d.span),
    severity: severities[d.severity],
    code: d.code,
    source: 'resnet',
    message: d.message,
    relatedInformation: d.related.map((r) => ({ location: toLocation(r, documentUri, lines), message: r.message })),
  };
}

export function toTextEdits(edits: TextEdit[], lines: LineMap): LspTextEdit[] {
  return edits.map((e) => ({ range: lines.range(e.span), newText: e.newText }));
}

/** With `reveal`, the client's reveal command runs after the edit: a fix at the cause may be far from the error. */
export function toQuickFix(fix: Fix, diagnostic: Diagnostic, documentUri: string, lines: LineMap, preferred: boolean, reveal: boolean): CodeAction {
  const edits = toTextEdits(fix.edits, lines);
  const edit: WorkspaceEdit = { changes: { [documentUri]: edits } };
  const command = reveal && edits.length > 0 ? { title: 'Reveal the edit', command: commands.revealEdit, arguments: [documentUri, edits[0].range] } : undefined;
  return { title: fix.title, kind: CodeActionKind.QuickFix, diagnostics: [toDiagnostic(diagnostic, documentUri, lines)], edit, command, isPreferred: preferred };
}

export function toRenameEdit(documentUri: string, edits: TextEdit[], lines: LineMap): WorkspaceEdit {
  return { changes: { [documentUri]: toTextEdits(edits, lines) } };
}

export function toHover(markdown: string, span: Span, lines: LineMap): Hover {
  return { contents: { kind: MarkupKind.Markdown, value: markdown }, range: lines.range(span) };
}

export function toInlayHint(offset: number, label: string, tooltip: string, lines: LineMap): InlayHint {
  return { position: lines.position(offset), label, kind: InlayHintKind.Type, paddingLeft: true, tooltip };
}

export function toCodeLens(span: Span, title: string, command: string, args: unknown[], lines: LineMap): CodeLens {
  return { range: lines.range(span), command: { title, command, arguments: args } };
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

export function toDocumentSymbol(entry: OutlineEntry, lines: LineMap): DocumentSymbol {
  return {
    name: entry.name,
    detail: entry.detail,
    kind: symbolKinds[entry.kind],
    range: lines.range(entry.span),
    selectionRange: lines.range(entry.selectionSpan),
    children: entry.children.map((child) => toDocumentSymbol(child, lines)),
  };
}

export function toFoldingRange(startLine: number, endLine: number, comment: boolean): FoldingRange {
  return { startLine, endLine, kind: comment ? 'comment' : undefined };
}

/** Innermost span first. */
export function toSelectionRange(spans: Span[], lines: LineMap): SelectionRange | undefined {
  let parent: SelectionRange | undefined;
  for (const span of [...spans].reverse()) parent = { range: lines.range(span), parent };
  return parent;
}
