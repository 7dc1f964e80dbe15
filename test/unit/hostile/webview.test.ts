// Messages from the webviews are untrusted: test/hostile/webview/ holds tables of malformed ones for
// the preview (contracts/preview.ts parseWebviewMessage), the results view (contracts/results.ts
// parseResultsRequest) and the training view (contracts/training.ts parseTrainingRequest). Every one
// must be refused; the panels log and ignore what their validator refuses (receiveRequests in
// extension/webview-requests.ts).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { test } from 'node:test';
import { generated } from '../../hostile/webview/generated';
import { parseResultsRequest } from '../../../contracts/results';
import { parseTrainingRequest } from '../../../contracts/training';
import { parseWebviewMessage } from '../../../contracts/preview';
import { assertNoOrphans, catalogueRoot, expectMessage } from './catalogue';
import { readdirSync } from 'node:fs';

const validators = { preview: parseWebviewMessage, results: parseResultsRequest, training: parseTrainingRequest } as const;

/** A short, readable rendering of a value JSON cannot show (Maps, typed arrays, long strings). */
function describe(value: unknown): string {
  if (value instanceof Map) return `Map(${JSON.stringify([...value])})`;
  if (value instanceof Date) return `Date(${value.toISOString()})`;
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${value.byteLength} bytes)`;
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'string') return value.length > 40 ? `"${value.slice(0, 8)}…" (${value.length} characters)` : JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]${Object.keys(value).some((k) => !/^\d+$/.test(k)) ? ` with ${Object.keys(value).filter((k) => !/^\d+$/.test(k)).join(', ')}` : ''}`;
  if (typeof value === 'object' && value !== null) {
    const own = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}: ${describe(v)}`);
    const inherited = Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null ? ` inheriting ${describe(Object.getPrototypeOf(value))}` : '';
    return `{${own.join(', ')}}${inherited}`;
  }
  return JSON.stringify(value);
}

function table(view: keyof typeof validators, messages: unknown[]): string {
  return messages
    .map((message) => {
      const parsed = validators[view](message);
      assert.equal(parsed, undefined, `${view} accepted ${describe(message)}`);
      return `ignored: ${describe(message)}`;
    })
    .join('\n');
}

test('the webview catalogue', async (t) => {
  const dir = join(catalogueRoot, 'webview');
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  assertNoOrphans('webview', [...files.map((f) => basename(f, '.json')), ...Object.keys(generated)]);
  for (const file of files) {
    const name = basename(file, '.json');
    await t.test(name, () => {
      const view = name.startsWith('preview') ? 'preview' : name.startsWith('training') ? 'training' : 'results';
      expectMessage('webview', name, table(view, JSON.parse(readFileSync(join(dir, file), 'utf8')) as unknown[]));
    });
  }
  for (const [name, entry] of Object.entries(generated)) {
    await t.test(name, () => expectMessage('webview', name, table(entry.view, entry.messages())));
  }
});
