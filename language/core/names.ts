// The checks that need no evaluation: unknown layers, blocks, parameters and names, argument
// counts, duplicate names, misplaced statements, recursive blocks. Run once per declaration in the
// analysed file, so a mistake inside a block is reported once, where it is written.

import { blockStatements, builtinNames, networkStatements, preprocessPresets, preprocessSteps, shortcutKinds, tensorFunctions } from './keywords';
import { closest, didYouMean, problem } from './diagnostics';
import type { Diagnostic, Fix } from './model';
import { isLayerOp, layerOps, ops } from './ops';
import { calleesIn, callsIn, namesIn, type Argument, type BlockDeclaration, type CallStatement, type Declaration, type Expression, type Identifier, type Span, type Statement } from './syntax';

const networkOnly: ReadonlySet<string> = new Set(networkStatements);
const blockOnly: ReadonlySet<string> = new Set([...blockStatements, 'add']);

export interface Signature {
  params: { name: string; required: boolean }[];
}

export type BlockLookup = (name: string) => BlockDeclaration | undefined;

const opSignatures = new Map<string, Signature>(layerOps.map((op) => [op, { params: ops[op].params.map((p) => ({ name: p.name, required: p.default === undefined })) }]));

export function signatureOf(callee: string, blocks: BlockLookup): Signature | undefined {
  const op = opSignatures.get(callee);
  if (op) return op;
  const block = blocks(callee);
  return block && { params: block.parameters.map((p) => ({ name: p.name.text, required: !p.default })) };
}

const replace = (span: Span, newText: string, title: string): Fix => ({ title, edits: [{ span, newText }] });

export function checkDeclaration(declaration: Declaration, blocks: BlockLookup, blockNames: () => string[]): Diagnostic[] {
  const problems: Diagnostic[] = [];
  const inBlock = declaration.kind === 'block';
  const sequential = declaration.kind === 'block' && declaration.sequential;
  const known = new Set<string>(inBlock ? builtinNames : []);
  /** Named statements before this point: modules a tensor expression may apply again. */
  const modules = new Set<string>();
  const names = new Map<string, { span: Span; weighted: boolean }>();
  const seen = new Map<string, Span>();

  const checkExpression = (e: Expression | undefined, reported?: Set<string>) => {
    if (e === undefined || e.kind === 'number') return; // most arguments
    for (const callee of calleesIn(e)) {
      if (isLayerOp(callee.text) || (tensorFunctions as readonly string[]).includes(callee.text) || modules.has(callee.text)) continue;
      const suggestion = closest(callee.text, [...layerOps, ...tensorFunctions, ...modules]);
      problems.push(problem('unknownCallee', callee.span, [callee.text, didYouMean(suggestion)], { fixes: suggestion ? [replace(callee.span, suggestion, `Change to '${suggestion}'`)] : [] }));
    }
    // An op applied in an expression (`avgpool(x, kernel=3)`) takes the op's own parameters after its input.
    for (const call of callsIn(e)) {
      const signature = opSignatures.get(call.callee.text);
      const given = new Set<string>();
      if (!signature) continue;
      let positional = 0;
      for (const arg of call.args) {
        if (arg.name) checkKeyword(arg as Argument & { name: Identifier }, call, signature, given);
        else if (positional++ === signature.params.length + 1) problems.push(problem('tooManyArguments', arg.span, [call.callee.text, signature.params.length + 1]));
      }
    }
    for (const { text: name, span } of namesIn(e)) {
      if (name === 'true' || name === 'false' || known.has(name) || reported?.has(name)) continue;
      const suggestion = closest(name, known);
      problems.push(problem('unknownName', span, [name, didYouMean(suggestion)], { fixes: suggestion ? [replace(span, suggestion, `Change to '${suggestion}'`)] : [] }));
    }
  };

  const claimName = (id: Identifier, weighted: boolean) => {
    const first = names.get(id.text);
    if (first && (first.weighted || weighted)) {
      problems.push(problem('duplicateName', id.span, [id.text], { related: [{ source: 'file', span: first.span, message: `'${id.text}' is first defined here` }] }));
    } else if (!first) names.set(id.text, { span: id.span, weighted });
  };

  /** The stage arguments after `xN` may replace the call's own (for the first child), but not repeat each other. */
  const checkArguments = (call: CallStatement, signature: Signature, stageArgs: Argument[]) => {
    const given = new Set<string>();
    let positional = 0;
    for (const arg of call.argList?.args ?? []) {
      checkExpression(arg.value);
      if (!arg.name) {
        if (positional < signature.params.length) given.add(signature.params[positional].name);
        else if (positional === signature.params.length) problems.push(problem('tooManyArguments', arg.span, [call.callee.text, signature.params.length]));
        positional++;
      } else checkKeyword(arg as Argument & { name: Identifier }, call, signature, given);
    }
    const stageGiven = new Set<string>();
    for (const arg of stageArgs) {
      checkExpression(arg.value);
      if (arg.name) checkKeyword(arg as Argument & { name: Identifier }, call, signature, stageGiven);
    }
    for (const p of signature.params) {
      if (p.required && !given.has(p.name)) problems.push(problem('missingArgument', call.argList?.span ?? call.callee.span, [p.name, call.callee.text]));
    }
  };

  const checkKeyword = (arg: Argument & { name: Identifier }, call: { callee: Identifier }, signature: Signature, given: Set<string>) => {
    const name = arg.name.text;
    if (!signature.params.some((p) => p.name === name)) {
      const suggestion = closest(name, signature.params.map((p) => p.name));
      problems.push(
        problem('unknownParameter', arg.name.span, [name, call.callee.text, didYouMean(suggestion)], {
          fixes: suggestion ? [replace(arg.name.span, suggestion, `Change to '${suggestion}'`)] : [],
        }),
      );
    } else if (given.has(name)) problems.push(problem('duplicateArgument', arg.name.span, [name]));
    given.add(name);
  };

  /** `name sequential(flatten, linear(10), relu)`: nn.Sequential of layers or blocks, named name.0, name.1, … */
  const checkSequential = (call: CallStatement) => {
    let weighted = false;
    for (const arg of call.argList?.args ?? []) {
      const item = sequentialItem(arg);
      if (!item) {
        problems.push(problem('badValue', arg.span, ['sequential', 'each item is a layer or a block call: sequential(flatten, linear(10), relu)']));
        continue;
      }
      if (item.callee.text === 'sequential' && !blocks('sequential')) {
        problems.push(problem('misplaced', item.callee.span, ['sequential(…)', "sequential(…); declare the inner one as 'sequential NAME(…) { … }' and call it by name"]));
        continue;
      }
      const signature = signatureOf(item.callee.text, blocks);
      if (!signature) {
        const suggestion = closest(item.callee.text, [...layerOps, ...blockNames()]);
        problems.push(problem('unknownCallee', item.callee.span, [item.callee.text, didYouMean(suggestion)], { fixes: suggestion ? [replace(item.callee.span, suggestion, `Change to '${suggestion}'`)] : [] }));
        continue;
      }
      checkArguments(item, signature, []);
      weighted ||= !isLayerOp(item.callee.text) || ops[item.callee.text].hasWeights;
    }
    if (call.name) claimName(call.name, weighted);
    else if (weighted) problems.push(problem('unnamedWeights', call.callee.span, ['sequential']));
    if (call.name && inBlock) {
      known.add(call.name.text);
      modules.add(call.name.text);
    }
  };

  const checkCall = (call: CallStatement) => {
    const callee = call.callee.text;
    if (callee === 'sequential' && !blocks(callee)) return checkSequential(call);
    const signature = signatureOf(callee, blocks);
    if (!signature) {
      const suggestion = closest(callee, [...layerOps, ...blockNames()]);
      problems.push(
        problem('unknownCallee', call.callee.span, [callee, didYouMean(suggestion)], {
          fixes: suggestion ? [replace(call.callee.span, suggestion, `Change to '${suggestion}'`)] : [],
        }),
      );
      [...(call.argList?.args ?? []), ...call.stageArgs].forEach((a) => checkExpression(a.value));
      return;
    }
    checkArguments(call, signature, call.stageArgs);
    const weighted = !isLayerOp(callee) || ops[callee].hasWeights;
    if (sequential) {
      if (call.name) problems.push(problem('sequentialName', call.name.span, [call.name.text], { fixes: [replace({ start: call.name.span.start, end: call.callee.span.start }, '', `Remove the name '${call.name.text}'`)] }));
    } else if (call.name) claimName(call.name, weighted);
    else if (weighted) problems.push(problem('unnamedWeights', call.callee.span, [callee]));
    if (call.repeat?.count !== undefined && call.repeat.count < 1) problems.push(problem('badRepeat', call.repeat.span, [call.repeat.count]));
    checkExpression(call.repeat?.expression);
    if (call.name && inBlock) {
      known.add(call.name.text);
      modules.add(call.name.text);
    }
  };

  const once = (what: string, span: Span) => {
    const first = seen.get(what);
    if (first) problems.push(problem('duplicateStatement', span, [what], { related: [{ source: 'file', span: first, message: 'first given here' }] }));
    else seen.set(what, span);
  };

  const checkStatement = (s: Statement) => {
    const where = sequential ? 'a sequential' : inBlock ? 'a block' : 'a network';
    const keyword = s.kind === 'call' || s.kind === 'let' || s.kind === 'error' ? undefined : s.kind;
    if (sequential && (s.kind === 'add' || s.kind === 'expansion')) {
      problems.push(problem('misplaced', s.span, [s.kind === 'add' ? '+' : s.kind, where]));
      return;
    }
    if (keyword && (inBlock ? networkOnly.has(keyword) : blockOnly.has(keyword))) {
      if (keyword === 'add') problems.push(problem('addOutsideBlock', s.span, []));
      else problems.push(problem('misplaced', s.span, [keyword, where]));
      return;
    }
    switch (s.kind) {
      case 'call':
        checkCall(s);
        break;
      case 'let':
        checkExpression(s.value);
        known.add(s.name.text);
        break;
      case 'expansion':
        once('expansion', s.span);
        checkExpression(s.value);
        break;
      case 'require':
        checkExpression(s.condition);
        break;
      case 'add':
        if (seen.has('+')) problems.push(problem('secondAdd', s.span, [], { related: [{ source: 'file', span: seen.get('+')!, message: 'the first residual add' }] }));
        else seen.set('+', s.span);
        if (s.shortcut.kind === 'identifier') {
          const kind = s.shortcut.text;
          if (!(shortcutKinds as readonly string[]).includes(kind)) {
            const suggestion = closest(kind, shortcutKinds);
            problems.push(
              problem('unknownShortcut', s.shortcut.span, [kind, didYouMean(suggestion)], {
                fixes: suggestion ? [replace(s.shortcut.span, suggestion, `Change to '${suggestion}'`)] : [],
              }),
            );
          } else if (kind === 'shortcut' || kind === 'projection') {
            claimName({ kind: 'identifier', text: 'downsample', span: s.span }, true);
          }
        }
        break;
      case 'input':
      case 'weights':
      case 'labels':
        once(s.kind, s.span);
        break;
      case 'preprocess':
        once('preprocess', s.span);
        if (s.preset && !(preprocessPresets as readonly string[]).includes(s.preset.text)) {
          const suggestion = closest(s.preset.text, preprocessPresets);
          problems.push(problem('unknownPreprocess', s.preset.span, [s.preset.text, didYouMean(suggestion)], { fixes: suggestion ? [replace(s.preset.span, suggestion, `Change to '${suggestion}'`)] : [] }));
        }
        for (const step of s.steps ?? []) {
          const name = step.callee.text;
          if (step.name || !(preprocessSteps as readonly string[]).includes(name)) {
            const id = step.name ?? step.callee;
            const suggestion = closest(id.text, preprocessSteps);
            problems.push(problem('unknownPreprocess', id.span, [id.text, didYouMean(suggestion)], { fixes: suggestion ? [replace(id.span, suggestion, `Change to '${suggestion}'`)] : [] }));
          }
          step.argList?.args.forEach((a) => checkExpression(a.value));
        }
        break;
    }
  };

  // A default reads the parameters before it (they are bound in order) and the built-in names.
  if (inBlock) {
    const later = new Set(declaration.parameters.map((p) => p.name.text));
    for (const p of declaration.parameters) {
      later.delete(p.name.text);
      for (const name of namesIn(p.default)) {
        if (later.has(name.text)) problems.push(problem('unknownName', name.span, [name.text, ` A default reads only the parameters before it: declare '${name.text}' before '${p.name.text}'.`]));
      }
      checkExpression(p.default, later);
      known.add(p.name.text);
    }
  }
  declaration.body.statements.forEach(checkStatement);
  return problems;
}

/** Reports each call that closes a cycle of block calls among the file's own blocks. */
export function checkRecursion(fileBlocks: Map<string, BlockDeclaration>, blocks: BlockLookup): Diagnostic[] {
  const problems: Diagnostic[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string) => {
    state.set(name, 'visiting');
    for (const s of fileBlocks.get(name)?.body.statements ?? []) {
      if (s.kind !== 'call' || !fileBlocks.has(s.callee.text) || blocks(s.callee.text) !== fileBlocks.get(s.callee.text)) continue;
      const callee = s.callee.text;
      if (state.get(callee) === 'visiting') problems.push(problem('recursiveBlock', s.callee.span, [callee]));
      else if (!state.has(callee)) visit(callee);
    }
    state.set(name, 'done');
  };
  for (const name of fileBlocks.keys()) if (!state.has(name)) visit(name);
  return problems;
}

/** An item of `sequential(…)` as the call statement it stands for: `relu` or `linear(10)`. */
export function sequentialItem(arg: Argument): CallStatement | undefined {
  if (arg.name) return undefined;
  const e = arg.value;
  if (e.kind === 'name') return { kind: 'call', callee: { kind: 'identifier', text: e.name, span: e.span }, stageArgs: [], span: e.span };
  if (e.kind === 'call') return { kind: 'call', callee: e.callee, argList: { args: e.args, span: { start: e.callee.span.end, end: e.span.end } }, stageArgs: [], span: e.span };
  return undefined;
}
