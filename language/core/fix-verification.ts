// A quick fix is offered only when it works: applied to the text and re-analysed, it removes the
// error it is for without adding one. Verified on demand (a code-action request, `check --json`),
// each distinct fix once per analysis, since every check is a whole analysis of the edited text.

import { analyze, type Analysis } from './analysis';
import type { Diagnostic, Fix, TextEdit } from './model';
import type { Span } from './syntax';
import { allNodes } from './walk';

export type Verdict = { ok: true } | { ok: false; reason: string };

const verdicts = new WeakMap<Analysis, Map<string, Verdict>>();

export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  for (const e of [...edits].sort((a, b) => b.span.start - a.span.start)) text = text.slice(0, e.span.start) + e.newText + text.slice(e.span.end);
  return text;
}

const keyOf = (d: Diagnostic) => `${d.code} ${d.message}`;

function counts(diagnostics: readonly Diagnostic[]): Map<string, number> {
  const map = new Map<string, number>();
  for (const d of diagnostics) map.set(keyOf(d), (map.get(keyOf(d)) ?? 0) + 1);
  return map;
}

/** Applies `fix` and re-analyses: ok when `diagnostic` is gone and nothing appeared that was not there before. */
export function verifyFix(analysis: Analysis, diagnostic: Diagnostic, fix: Fix): Verdict {
  let cache = verdicts.get(analysis);
  if (!cache) verdicts.set(analysis, (cache = new Map()));
  const cacheKey = `${keyOf(diagnostic)}\n${JSON.stringify(fix.edits)}`;
  const cached = cache.get(cacheKey);
  if (cached) return cached;
  const after = analyze(applyEdits(analysis.text, fix.edits));
  const before = counts(analysis.diagnostics);
  const now = counts(after.diagnostics);
  let verdict: Verdict = { ok: true };
  if ((now.get(keyOf(diagnostic)) ?? 0) >= (before.get(keyOf(diagnostic)) ?? 0)) verdict = { ok: false, reason: 'leaves the error' };
  else {
    const added = after.diagnostics.find((d) => (now.get(keyOf(d)) ?? 0) > (before.get(keyOf(d)) ?? 0) && !wasMasked(analysis, spanBefore(d.span, fix.edits)));
    if (added) verdict = { ok: false, reason: `adds ${added.code}: ${added.message}` };
  }
  cache.set(cacheKey, verdict);
  return verdict;
}

/** Where `span` of the edited text was before the edits (an offset inside an edit goes to its start). */
function spanBefore(span: Span, edits: readonly TextEdit[]): Span {
  const sorted = [...edits].sort((a, b) => a.span.start - b.span.start);
  const back = (offset: number) => {
    let shift = 0;
    for (const e of sorted) {
      const start = e.span.start + shift;
      if (offset < start) break;
      if (offset < start + e.newText.length) return e.span.start;
      shift += e.newText.length - (e.span.end - e.span.start);
    }
    return offset - shift;
  };
  return { start: back(span.start), end: back(span.end) };
}

/**
 * An error that shows after a fix where the shapes were unknown before it (after the very error the
 * fix removes) was there all along, hidden: the fix reveals it rather than adds it.
 */
function wasMasked(analysis: Analysis, span: Span): boolean {
  const holders = [];
  for (const network of analysis.networks) {
    for (const node of allNodes(network.children)) {
      const where = node.definition?.source === 'file' ? node.definition.span : node.range;
      if (where.start <= span.start && span.end <= where.end) holders.push(node);
    }
  }
  return holders.length > 0 && holders.every((n) => !n.inputShape);
}

/** The fixes of `diagnostic` that verify; a fix at the symptom only when none at the cause does. */
export function verifiedFixes(analysis: Analysis, diagnostic: Diagnostic): Fix[] {
  const atCause = diagnostic.fixes.filter((f) => !f.symptom && verifyFix(analysis, diagnostic, f).ok);
  if (atCause.length > 0) return atCause;
  return diagnostic.fixes.filter((f) => f.symptom && verifyFix(analysis, diagnostic, f).ok);
}
