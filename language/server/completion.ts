// Completion: layer types and block names where a callee goes, parameters (`kernel=`) and their values
// inside a call, shortcut kinds after `+`, preprocess steps and presets, statement keywords, snippets
// for a new network, block or sequential, and the names in scope inside a block: parameters, constants
// and the named values above the cursor (with their shapes), also after `name =`.

import type { Connection } from 'vscode-languageserver/node';
import type { Analysis } from '../core/analysis';
import { formatShape } from '../core/format';
import { preprocessPresets, preprocessSteps, shortcutKinds, tensorFunctions } from '../core/keywords';
import { statementText, valueInstances } from '../core/named-values';
import { presetSpecs, preprocessText } from '../core/preprocess-presets';
import { layerOps, ops } from '../core/ops';
import { blockBindings } from '../core/symbols';
import type { BlockDeclaration, Declaration } from '../core/syntax';
import type { Completion } from './items';
import { toCompletionItem } from './convert';
import { cursorAt, type Cursor } from './cursor';
import type { Documents } from './documents';
import { calleeSignature, layerSignature } from './signature-help';

export function registerCompletion(connection: Connection, documents: Documents): void {
  connection.onCompletion((params, token) => {
    const analysed = documents.analysed(params.textDocument.uri);
    if (!analysed || token.isCancellationRequested) return [];
    const { analysis } = analysed;
    return completionsAt(analysis, analysis.lines.offset(params.position)).map(toCompletionItem);
  });
}


export function completionsAt(analysis: Analysis, offset: number): Completion[] {
  const { cursor, wordStart } = cursorAt(analysis, offset);
  return completionsFor(cursor, analysis, wordStart);
}

function completionsFor(cursor: Cursor, analysis: Analysis, offset: number): Completion[] {
  switch (cursor.kind) {
    case 'none':
      return [];
    case 'top':
      return [
        { label: 'network', kind: 'snippet', detail: 'a new network', insertText: 'network ${1:name} {\n  input ${2:3x224x224}\n  $0\n}', snippet: true },
        { label: 'block', kind: 'snippet', detail: 'a new block', insertText: 'block ${1:name}(${2:planes}, stride=1) {\n  $0\n  + shortcut\n}', snippet: true },
        { label: 'sequential', kind: 'snippet', detail: 'a new nn.Sequential to call by name: members named by position', insertText: 'sequential ${1:name}(${2:planes}) {\n  $0\n}', snippet: true },
      ];
    case 'statement':
      return [...statementKeywords(cursor.declaration), ...callees(analysis, cursor.declaration)];
    case 'callee':
      return [...callees(analysis), ...(cursor.declaration.kind === 'block' && cursor.declaration.sequential ? [] : [inlineSequential])];
    case 'shortcut':
      return shortcutKinds.map((k) => ({ label: k, kind: 'value' as const, detail: shortcutDocs[k] }));
    case 'preset':
      return [
        ...preprocessPresets.map((p) => ({ label: p, kind: 'value' as const, detail: preprocessText(presetSpecs[p]) })),
        { label: '{ … }', kind: 'snippet', detail: 'a preprocess section', insertText: '{\n  resize(${1:256})\n  center_crop(${2:224})\n  normalize(mean=[${3:0.485, 0.456, 0.406}], std=[${4:0.229, 0.224, 0.225}])\n}', snippet: true },
      ];
    case 'preprocessStep':
      return preprocessSteps.map((s) => ({ label: s, kind: 'layer' as const, insertText: s === 'grayscale' ? s : s === 'normalize' ? 'normalize(mean=[$1], std=[$2])' : `${s}($1)`, snippet: s !== 'grayscale' }));
    case 'argument':
      return argumentCompletions(cursor, analysis, offset);
    case 'expression':
      return [...scopeNames(cursor.declaration, analysis, offset), ...functions()];
    case 'stageArgument': {
      const signature = calleeSignature(cursor.callee, analysis);
      if (!signature) return [];
      return signature.parameters.filter((p) => !cursor.given.includes(p.name)).map((p) => ({ label: `${p.name}=`, kind: 'parameter' as const, detail: `${p.label} · first block of the stage` }));
    }
  }
}

const shortcutDocs: Record<(typeof shortcutKinds)[number], string> = {
  shortcut: "torchvision's rule: identity when shapes match, else projection",
  identity: 'the block input unchanged',
  projection: '1×1 conv + batchnorm (downsample.0, downsample.1)',
  zeropad: 'subsample and pad channels with zeros (option A)',
};

function statementKeywords(declaration: Declaration): Completion[] {
  if (declaration.kind === 'network') {
    return [
      { label: 'input', kind: 'keyword', detail: 'input CxHxW', insertText: 'input ${1:3}x${2:224}x${3:224}', snippet: true },
      { label: 'weights', kind: 'keyword', detail: 'a .safetensors file, relative to this file', insertText: 'weights "$1"', snippet: true },
      { label: 'labels', kind: 'keyword', detail: 'one class name per line', insertText: 'labels "$1"', snippet: true },
      { label: 'preprocess', kind: 'keyword', detail: 'preprocess imagenet, or a section', insertText: 'preprocess ', snippet: false },
    ];
  }
  const require: Completion = { label: 'require', kind: 'keyword', detail: 'a precondition checked at each call', insertText: 'require ${1:condition}, "${2:message}"', snippet: true };
  // A sequential has no add and no expansion (RS0113).
  if (declaration.sequential) return [require];
  return [
    { label: 'expansion', kind: 'keyword', detail: "the block's expansion", insertText: 'expansion ${1:1}', snippet: true },
    require,
    { label: '+ shortcut', kind: 'keyword', detail: 'the residual add', insertText: '+ shortcut', snippet: false },
  ];
}

/** `name sequential(a, b(args), …)`: an nn.Sequential written once, where it is used. */
const inlineSequential: Completion = { label: 'sequential', kind: 'layer', detail: 'sequential(a, b(args), …): nn.Sequential written here, named name.0, name.1, …', insertText: 'sequential($1)', snippet: true, sortText: '1sequential' };

/** Layers and blocks; at the start of a statement (`statementStart`) only those a statement may leave unnamed. */
function callees(analysis: Analysis, statementStart?: Declaration): Completion[] {
  const items: Completion[] = layerOps.map((op) => {
    const signature = layerSignature(op);
    const required = ops[op].params.some((p) => p.default === undefined);
    return { label: op, kind: 'layer', detail: signature.label, documentation: ops[op].doc, insertText: required ? `${op}($1)` : op, snippet: required, sortText: `1${op}` };
  });
  for (const [name, entry] of analysis.blocks) {
    const signature = calleeSignature(name, analysis);
    items.push({ label: name, kind: 'block', detail: `${signature?.label ?? name} · ${entry.source === 'prelude' ? 'prelude' : 'this file'}`, insertText: `${name}($1)`, snippet: true, sortText: `0${name}` });
  }
  // An anonymous layer may not own weights, so at the start of a statement offer those without, except
  // in a sequential, whose members are all unnamed.
  return statementStart && !(statementStart.kind === 'block' && statementStart.sequential) ? items.filter((i) => i.kind === 'block' || !ops[i.label as keyof typeof ops].hasWeights) : items;
}

function argumentCompletions(cursor: Extract<Cursor, { kind: 'argument' }>, analysis: Analysis, offset: number): Completion[] {
  if (cursor.valueOf) return valuesOf(cursor.callee, cursor.valueOf, cursor.declaration, analysis, offset);
  if (cursor.keyword) return scopeNames(cursor.declaration, analysis, offset);
  const signature = calleeSignature(cursor.callee, analysis);
  const parameters = (signature?.parameters ?? []).filter((p, i) => i >= cursor.positional && !cursor.given.includes(p.name));
  return [
    ...(cursor.atStart ? parameters.map((p) => ({ label: `${p.name}=`, kind: 'parameter' as const, detail: p.label, sortText: `0${p.name}` })) : []),
    ...scopeNames(cursor.declaration, analysis, offset),
  ];
}

function valuesOf(callee: string, parameter: string, declaration: Declaration, analysis: Analysis, offset: number): Completion[] {
  const layer = (layerOps as string[]).includes(callee) ? ops[callee as keyof typeof ops].params.find((p) => p.name === parameter) : undefined;
  const names = scopeNames(declaration, analysis, offset);
  if (layer?.kind === 'bool') return ['true', 'false'].map((v) => ({ label: v, kind: 'value' as const }));
  const common: Record<string, number[]> = { kernel: [1, 3, 5, 7], stride: [1, 2], padding: [0, 1, 2, 3], groups: [1, 32, 64], dilation: [1, 2] };
  const values = (common[parameter] ?? []).map((v) => ({ label: String(v), kind: 'value' as const, sortText: `0${v}` }));
  const block = analysis.blocks.get(callee)?.declaration;
  const fromDefault = block && defaultOf(block, parameter);
  return [...values, ...(fromDefault ? [{ label: fromDefault, kind: 'value' as const, detail: 'default' }] : []), ...names];
}

function defaultOf(block: BlockDeclaration, parameter: string): string | undefined {
  const p = block.parameters.find((q) => q.name.text === parameter);
  return p?.default?.kind === 'number' ? p.default.text : undefined;
}

/** The names a block can read at `offset`: its parameters, the constants and values bound above (a value with its shape), `input`. */
function scopeNames(declaration: Declaration, analysis: Analysis, offset: number): Completion[] {
  if (declaration.kind !== 'block') return [];
  const names = new Map<string, Completion>();
  const name = (label: string, detail: string, kind: Completion['kind'] = 'name', rank = 2) => names.set(label, { label, kind, detail, sortText: `${rank}${label}` });
  const shapeOf = (source: Parameters<typeof valueInstances>[2]) => {
    const shape = valueInstances(analysis, declaration, source)[0]?.shape;
    return shape ? formatShape(shape) : '?';
  };
  if (!declaration.sequential) name('input', `${shapeOf('input')} · the block's input`, 'value', 1);
  for (const b of blockBindings(declaration)) {
    if (b.statement.span.end >= offset) break;
    if (b.kind === 'constant') name(b.name.text, 'constant');
    else name(b.name.text, `${shapeOf(b)} · ${statementText(analysis, b.statement.span)}`, 'value', 1);
  }
  for (const p of declaration.parameters) if (!names.has(p.name.text)) name(p.name.text, 'parameter');
  name('in_channels', "channels of the block's input");
  name('expansion', "the block's expansion");
  return [...names.values()];
}

/** What an expression of values may call: cat, split, chunk and the weightless ops of the table. */
function functions(): Completion[] {
  const builtins = tensorFunctions.filter((f) => f !== 'sequential').map((f) => ({ label: f, kind: 'layer' as const, detail: f === 'cat' ? 'cat(a, b, …): join along the channels' : `${f}(x, ${f === 'chunk' ? 'n' : 'size'}): parts of the channels, pick one with [i]`, insertText: `${f}($1)`, snippet: true, sortText: `3${f}` }));
  const weightless = layerOps.filter((op) => !ops[op].hasWeights).map((op) => ({ label: op, kind: 'layer' as const, detail: layerSignature(op).label, documentation: ops[op].doc, insertText: `${op}($1)`, snippet: true, sortText: `3${op}` }));
  return [...builtins, ...weightless];
}
