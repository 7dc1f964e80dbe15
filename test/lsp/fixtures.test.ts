// Protocol-level fixtures: each test/fixtures/lsp/<case>.resnet is opened in the real server process
// and probed over JSON-RPC; the transcript is compared with <case>.expected (UPDATE_FIXTURES=1
// rewrites it). A probe is a comment line whose caret points at the column of the line above:
//
//   layer2  bottleneck(128) x4 stride=2
//   #       ^ hover
//
// Probes: hover, complete, signature, definition, references, highlight, rename NEWNAME, select
// (expand-selection ranges), tokens (the semantic tokens of the line). Every case
// also records diagnostics, quick fixes (applied, with what is left), formatting, inlay hints,
// CodeLenses, the outline and folding ranges.

import { after, before, test } from 'node:test';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type {
  CodeAction,
  CodeLens,
  CompletionItem,
  Diagnostic,
  DocumentSymbol,
  FoldingRange,
  Hover,
  InlayHint,
  Location,
  Position,
  Range,
  SelectionRange,
  SignatureHelp,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver-protocol';
import { LineMap } from '../../language/core/positions';
import { expectFixture, fixtureCases } from '../unit/fixtures';
import { fileUri, TestServer } from './server';

const dir = join(__dirname, '../fixtures/lsp');
let server: TestServer;
before(async () => {
  server = await TestServer.start({ settings: { inlayHints: { enabled: true } } });
});
after(() => server.stop());

const at = (r: Range) => `${r.start.line + 1}:${r.start.character + 1}-${r.end.line + 1}:${r.end.character + 1}`;

function applyEdits(text: string, edits: TextEdit[]): string {
  const lines = new LineMap(text);
  for (const e of [...edits].sort((a, b) => lines.offset(b.range.start) - lines.offset(a.range.start))) text = text.slice(0, lines.offset(e.range.start)) + e.newText + text.slice(lines.offset(e.range.end));
  return text;
}

interface Probe {
  action: string;
  argument?: string;
  position: Position;
  /** The whole text, to quote ranges. */
  text: string;
}

function textOf(text: string, range: Range): string {
  const lines = text.split('\n');
  if (range.start.line === range.end.line) return lines[range.start.line].slice(range.start.character, range.end.character);
  return `${lines[range.start.line].slice(range.start.character)}…(${range.end.line - range.start.line} lines)`;
}

/** Probe lines stack: each points at the nearest line above that is not a probe. */
function probes(text: string): Probe[] {
  const found: Probe[] = [];
  let target = 0;
  text.split('\n').forEach((line, i) => {
    const m = /^\s*#\s*\^\s*(\w+)(?:\s+(\S+))?\s*$/.exec(line);
    if (m) found.push({ action: m[1], argument: m[2], position: { line: target, character: line.indexOf('^') }, text });
    else target = i;
  });
  return found;
}

const oneLine = (s: string) => s.replace(/\n/g, '⏎');

async function transcript(file: string): Promise<string> {
  const text = readFileSync(file, 'utf8');
  const uri = fileUri(`test/fixtures/lsp/${basename(file)}`);
  const doc = { textDocument: { uri } };
  const out: string[] = [];
  server.open(uri, text);
  const published = await server.diagnosticsFor(uri, (p) => p.version === 1);
  out.push('## diagnostics');
  for (const d of published.diagnostics) {
    out.push(`${at(d.range)} ${d.code} ${d.message}`);
    for (const r of d.relatedInformation ?? []) out.push(`    related ${r.location.uri.startsWith('file:') ? 'file' : r.location.uri}:${at(r.location.range)} ${r.message}`);
    const actions = await server.request<CodeAction[]>('textDocument/codeAction', { ...doc, range: d.range, context: { diagnostics: [d] } });
    for (const a of actions.filter((x) => x.diagnostics?.some((y) => y.code === d.code && at(y.range) === at(d.range)))) {
      const fixed = applyEdits(text, a.edit?.changes?.[uri] ?? []);
      const left = await diagnosticsOf(fixed);
      out.push(`    quick fix "${a.title}"${a.isPreferred ? ' (preferred)' : ''}: ${left.filter((x) => x.code === d.code).length} ${d.code} left, ${left.length} diagnostics in all`);
    }
  }
  for (const probe of probes(text)) out.push(`## ${probe.action}${probe.argument ? ' ' + probe.argument : ''} at ${probe.position.line + 1}:${probe.position.character + 1}`, ...(await runProbe(probe, doc, uri)));
  const formatted = await server.request<TextEdit[]>('textDocument/formatting', { ...doc, options: { tabSize: 2, insertSpaces: true } });
  out.push('## formatting', formatted.length === 0 ? '(already canonical)' : applyEdits(text, formatted).trimEnd());
  const hints = await server.request<InlayHint[]>('textDocument/inlayHint', { ...doc, range: { start: { line: 0, character: 0 }, end: { line: 10_000, character: 0 } } });
  out.push('## inlay hints', ...hints.map((h) => `${h.position.line + 1}:${h.position.character + 1} ${String(h.label)}`));
  const lenses = await server.request<CodeLens[]>('textDocument/codeLens', doc);
  out.push('## code lenses', ...lenses.map((l) => `${at(l.range)} ${l.command?.title} [${l.command?.command || 'no command'}]`));
  const symbols = await server.request<DocumentSymbol[]>('textDocument/documentSymbol', doc);
  const outline = (s: DocumentSymbol, indent: string): string[] => [`${indent}${s.name} (${s.detail ?? ''}) ${at(s.selectionRange)}`, ...(s.children ?? []).flatMap((c) => outline(c, indent + '  '))];
  out.push('## outline', ...symbols.flatMap((s) => outline(s, '')));
  const folds = await server.request<FoldingRange[]>('textDocument/foldingRange', doc);
  out.push('## folding', folds.map((f) => `${f.startLine + 1}-${f.endLine + 1}${f.kind ? ' ' + f.kind : ''}`).join(', '));
  server.close(uri);
  return out.join('\n') + '\n';
}

let scratch = 0;
async function diagnosticsOf(text: string): Promise<Diagnostic[]> {
  const uri = `untitled:scratch-${scratch++}.resnet`;
  server.open(uri, text);
  const published = await server.diagnosticsFor(uri, (p) => p.version === 1);
  server.close(uri);
  return published.diagnostics;
}

async function runProbe(probe: Probe, doc: { textDocument: { uri: string } }, uri: string): Promise<string[]> {
  const params = { ...doc, position: probe.position };
  const where = (l: Location) => `${l.uri === uri ? 'file' : l.uri}:${at(l.range)}`;
  switch (probe.action) {
    case 'hover': {
      const hover = await server.request<Hover | null>('textDocument/hover', params);
      return hover ? [`range ${at(hover.range!)}`, (hover.contents as { value: string }).value] : ['(no hover)'];
    }
    case 'complete': {
      const items = await server.request<CompletionItem[]>('textDocument/completion', params);
      return [items.map((i) => i.label).join(', ') || '(nothing)', ...items.slice(0, 1).map((i) => `first: ${i.label} → ${oneLine(String(i.insertText))}${i.detail ? ` · ${i.detail}` : ''}`)];
    }
    case 'signature': {
      const help = await server.request<SignatureHelp | null>('textDocument/signatureHelp', params);
      if (!help) return ['(no signature)'];
      const signature = help.signatures[0];
      return [`${signature.label} · active ${String(signature.parameters?.[help.activeParameter ?? 0]?.label)}`];
    }
    case 'definition': {
      const location = await server.request<Location | null>('textDocument/definition', params);
      return [location ? where(location) : '(no definition)'];
    }
    case 'references': {
      const locations = await server.request<Location[]>('textDocument/references', { ...params, context: { includeDeclaration: true } });
      return [locations.map(where).join(', ') || '(none)'];
    }
    case 'highlight': {
      const highlights = await server.request<{ range: Range }[]>('textDocument/documentHighlight', params);
      return [highlights.map((h) => at(h.range)).join(', ') || '(none)'];
    }
    case 'rename': {
      try {
        const edit = await server.request<WorkspaceEdit | null>('textDocument/rename', { ...params, newName: probe.argument });
        const edits = edit?.changes?.[uri] ?? [];
        return [edits.map((e) => `${at(e.range)} → ${e.newText}`).join(', ') || '(no edits)'];
      } catch (error) {
        return [`refused: ${(error as Error).message}`];
      }
    }
    case 'select': {
      const [selection] = await server.request<SelectionRange[]>('textDocument/selectionRange', { ...doc, positions: [probe.position] });
      const ranges: string[] = [];
      for (let r: SelectionRange | undefined = selection; r; r = r.parent) ranges.push(JSON.stringify(textOf(probe.text, r.range)));
      return [ranges.slice(0, 6).join(' ⊂ ')];
    }
    case 'tokens': {
      const legend = server.semanticLegend;
      const { data } = await server.request<{ data: number[] }>('textDocument/semanticTokens/full', doc);
      const found: string[] = [];
      for (let i = 0, line = 0, character = 0; i < data.length; i += 5) {
        line += data[i];
        character = data[i] === 0 ? character + data[i + 1] : data[i + 1];
        if (line !== probe.position.line) continue;
        const modifiers = legend.tokenModifiers.filter((_, bit) => data[i + 4] & (1 << bit));
        const word = textOf(probe.text, { start: { line, character }, end: { line, character: character + data[i + 2] } });
        found.push(`${word}:${legend.tokenTypes[data[i + 3]]}${modifiers.length ? '.' + modifiers.join('.') : ''}`);
      }
      return [found.join(' ') || '(none)'];
    }
    default:
      throw new Error(`unknown probe '${probe.action}'`);
  }
}

for (const file of fixtureCases(dir)) {
  test(`lsp fixture: ${basename(file)}`, async () => {
    expectFixture(file, await transcript(file));
  });
}
