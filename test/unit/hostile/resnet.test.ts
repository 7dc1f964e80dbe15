// Hostile .resnet files (test/hostile/resnet/): each goes through `analyze` and through the real
// language server over stdio. Neither may throw, hang or overflow the stack; the diagnostics (at most
// the first 12 of each) are the case's expected message.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Diagnostic as LspDiagnostic } from 'vscode-languageserver-protocol';
import { analyze } from '../../../language/core/analysis';
import type { Position } from '../../../language/core/positions';
import { TestServer } from '../../lsp/server';
import { expectMessage, hostileCases } from './catalogue';

const shown = 12;
const at = (p: Position) => `${p.line + 1}:${p.character + 1}`;
const limit = { timeout: 120_000 };
let server: TestServer;
before(async () => {
  server = await TestServer.start();
});
after(() => server.stop());

function listed<T>(items: T[], line: (item: T) => string): string[] {
  const lines = items.slice(0, shown).map(line);
  if (items.length > shown) lines.push(`… ${items.length - shown} more`);
  return lines;
}

test('the resnet catalogue', limit, async (t) => {
  for (const c of await hostileCases('resnet')) {
    await t.test(c.name, async () => {
    // The editor decodes a file as UTF-8, replacing what is not; so do we.
    const text = new TextDecoder('utf-8').decode(await c.bytes());
    const analysis = analyze(text);
    assert.ok(analysis.diagnostics.length <= 1000, `a bounded number of diagnostics, got ${analysis.diagnostics.length}`);
    const uri = `untitled:hostile-${c.name}.resnet`;
    server.open(uri, text);
    const published = await server.diagnosticsFor(uri, (p) => p.version === 1, 60_000);
    server.close(uri);
    const lsp = published.diagnostics as LspDiagnostic[];
    const message = [
      `analyze: ${analysis.networks.length} network(s), ${analysis.diagnostics.length} diagnostic(s)`,
      ...listed(analysis.diagnostics, (d) => `  ${at(analysis.lines.position(d.span.start))} ${d.code} ${d.message.slice(0, 160)}`),
      `server: ${lsp.length} diagnostic(s)`,
      ...listed(lsp, (d) => `  ${at(d.range.start)} ${String(d.code ?? '')} ${d.message.slice(0, 160)}`),
    ].join('\n');
    expectMessage('resnet', c.name, message);
    });
  }
});
