// Expression evaluation. Unknown (an upstream error, a shape not known yet) propagates silently:
// only the first cause is ever reported.

import type { Expression, Span } from './syntax';

export const unknown: unique symbol = Symbol('unknown');
export type Unknown = typeof unknown;
export type Value = number | boolean | string | Value[] | Unknown;

export type ValueError = { kind: 'divisionByZero'; span: Span } | { kind: 'type'; span: Span; detail: string };

/** Names resolve through `lookup`; undefined means an unknown name, already reported by the name check. */
export function evaluate(expression: Expression, lookup: (name: string, span: Span) => Value | undefined, onError: (e: ValueError) => void): Value {
  const visit = (e: Expression): Value => {
    switch (e.kind) {
      case 'number':
        return e.value;
      case 'string':
        return e.value;
      case 'name':
        if (e.name === 'true') return true;
        if (e.name === 'false') return false;
        return lookup(e.name, e.span) ?? unknown;
      case 'paren':
        return visit(e.inner);
      case 'list': {
        const items = e.items.map(visit);
        return items.includes(unknown) ? unknown : items;
      }
      case 'missing':
        return unknown;
      case 'conditional': {
        const condition = visit(e.condition);
        if (condition === unknown) return unknown;
        if (typeof condition !== 'boolean') return fail(e.condition.span, `'if' needs true or false, got ${show(condition)}`);
        return visit(condition ? e.then : e.otherwise);
      }
      case 'call':
        return fail(e.span, `'${e.callee.text}(…)' is a tensor: it can only be bound inside a block (name = ${e.callee.text}(…))`);
      case 'index': {
        const target = visit(e.target);
        const index = visit(e.index);
        if (target === unknown || index === unknown) return unknown;
        if (!Array.isArray(target)) return fail(e.span, `only a list can be indexed, got ${show(target)}`);
        if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= target.length) return fail(e.index.span, `index ${show(index)} is outside the list of ${target.length}`);
        return target[index];
      }
      case 'unary': {
        const v = visit(e.operand);
        if (v === unknown) return unknown;
        if (e.operator === 'not') return typeof v === 'boolean' ? !v : fail(e.span, `'not' needs true or false, got ${show(v)}`);
        if (typeof v !== 'number') return fail(e.span, `'${e.operator}' needs a number, got ${show(v)}`);
        return e.operator === '-' ? -v : v;
      }
      case 'binary': {
        const left = visit(e.left);
        const right = visit(e.right);
        if (left === unknown || right === unknown) return unknown;
        switch (e.operator) {
          case 'and':
          case 'or':
            if (typeof left !== 'boolean' || typeof right !== 'boolean') return fail(e.span, `'${e.operator}' needs true or false on both sides`);
            return e.operator === 'and' ? left && right : left || right;
          case '==':
            return equal(left, right);
          case '!=':
            return !equal(left, right);
        }
        if (typeof left !== 'number' || typeof right !== 'number') return fail(e.span, `'${e.operator}' needs numbers, got ${show(left)} and ${show(right)}`);
        switch (e.operator) {
          case '+':
            return left + right;
          case '-':
            return left - right;
          case '*':
            return left * right;
          case '<':
            return left < right;
          case '<=':
            return left <= right;
          case '>':
            return left > right;
          case '>=':
            return left >= right;
        }
        if (right === 0) {
          onError({ kind: 'divisionByZero', span: e.span });
          return unknown;
        }
        if (e.operator === '/') return left / right;
        if (e.operator === '//') return Math.floor(left / right);
        return left - right * Math.floor(left / right);
      }
    }
  };
  const fail = (span: Span, detail: string): Unknown => {
    onError({ kind: 'type', span, detail });
    return unknown;
  };
  return visit(expression);
}

function equal(a: Value, b: Value): boolean {
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => equal(x, b[i]));
  return a === b;
}

export function show(v: Value): string {
  if (v === unknown) return 'unknown';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
  return String(v);
}
