// Webview messages that JSON cannot write: what structured clone can still carry from a webview
// (huge strings, NaN, Maps, Dates, typed arrays, sparse arrays, inherited properties). Each entry's
// expected message is <name>.expected beside this file.
export interface MessageTable {
  description: string;
  /** Which validator: the preview's (contracts/preview.ts), the results view's (contracts/results.ts) or the training view's (contracts/training.ts). */
  view: 'preview' | 'results' | 'training';
  messages(): unknown[];
}

const unusual = (type: string, key: string): unknown[] => [
  { type, [key]: 'x'.repeat(5000) },
  { type, [key]: Number.NaN },
  { type, [key]: new Map([['id', 'x']]) },
  { type, [key]: new Date(0) },
  { type, [key]: new Uint8Array(4) },
  Object.create({ type, [key]: 'inherited' }),
  new Map([['type', type]]),
  Object.assign([], { type }),
];

export const generated: Record<string, MessageTable> = {
  'preview-unusual': {
    description: 'a reveal, an export and an error with unusual values, plus inherited and Map-shaped messages',
    view: 'preview',
    messages: () => [
      ...unusual('reveal', 'id'),
      { type: 'exported', format: 'png', data: 'A'.repeat(64 * 1024 * 1024 + 1) },
      { type: 'error', message: 'x'.repeat(4097) },
      { type: 'revealProblem', index: Number.POSITIVE_INFINITY },
    ],
  },
  'results-unusual': {
    description: 'a cancel and an error with unusual values, plus inherited and Map-shaped messages',
    view: 'results',
    messages: () => [...unusual('cancel', 'id'), { type: 'error', message: 'x'.repeat(4097) }, { type: 'cancel', id: 'eval-1\n' }],
  },
  'training-unusual': {
    description: 'a stop, a start and a browse with unusual values, plus inherited and Map-shaped messages',
    view: 'training',
    messages: () => [
      ...unusual('stop', 'id'),
      ...unusual('browse', 'field'),
      { type: 'start', values: { data: 'x'.repeat(4097) } },
      { type: 'start', values: new Map([['data', 'images']]) },
      { type: 'start', values: Object.create({ data: 'images' }) },
      { type: 'start', values: { epochs: 3 } },
      { type: 'start', values: { amp: 1 } },
    ],
  },
};
