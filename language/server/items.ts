// What the server's features compute, as plain data; convert.ts turns each into its LSP type.

import type { Span } from '../core/syntax';

export interface Completion {
  label: string;
  kind: 'layer' | 'block' | 'keyword' | 'parameter' | 'value' | 'name' | 'snippet';
  detail?: string;
  documentation?: string;
  insertText?: string;
  snippet?: boolean;
  sortText?: string;
}

export interface OutlineEntry {
  name: string;
  detail?: string;
  kind: 'network' | 'block' | 'layer' | 'stage' | 'parameter' | 'constant';
  span: Span;
  selectionSpan: Span;
  children: OutlineEntry[];
}

export interface SignatureInfo {
  label: string;
  documentation?: string;
  parameters: { name: string; label: string; documentation?: string }[];
  active: number;
}
