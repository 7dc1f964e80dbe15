// `resnet-studio check FILE...`: diagnostics as `file:line:col: severity RSnnn message`, or --json.

import { dirname, resolve } from 'node:path';
import { verifiedFixes } from '../../language/core/fix-verification';
import { analyze, prelude } from '../../language/core/analysis';
import { referencedFileDiagnostics } from '../../language/core/file-checks';
import { fileStateIn } from '../../engine/runtime/file-state';
import { parseCommand } from '../args';
import type { CliIo } from '../io';
import { readSource } from '../io';
import { where } from '../where';

export const spec = {
  name: 'check',
  args: ['FILE...'],
  summary: 'diagnostics as file:line:col: severity RSnnn message (exit 1 on errors)',
  options: { json: { type: 'boolean', help: 'the diagnostics as JSON, with zero-based LSP ranges, related locations and quick fixes' } },
} as const;

export async function run(args: string[], io: CliIo): Promise<number> {
  const parsed = parseCommand(spec, args, io);
  if (typeof parsed === 'number') return parsed;
  const json = parsed.options.json ?? false;
  const files = parsed.args;
  let errors = 0;
  const records: unknown[] = [];
  for (const file of files) {
    const text = await readSource(file, io);
    if (text === undefined) {
      errors++;
      continue;
    }
    const analysis = analyze(text);
    const { lines } = analysis;
    // As in the editor: a weights or labels file the network names must be there (RS0902).
    const diagnostics = [...analysis.diagnostics, ...referencedFileDiagnostics(analysis, fileStateIn(dirname(resolve(file))))];
    for (const d of diagnostics) {
      if (d.severity === 'error') errors++;
      if (json) {
        // Zero-based {line, character} ranges, as LSP writes them: a public format.
        records.push({
          file,
          code: d.code,
          severity: d.severity,
          message: d.message,
          range: lines.range(d.span),
          related: d.related.map((r) =>
            r.source === 'file' ? { file, range: lines.range(r.span), message: r.message } : { file: 'prelude.resnet', range: prelude().lines.range(r.span), message: r.message },
          ),
          // The quick fixes, as edits of this file: what the editor's lightbulb offers (each verified), for other tools to apply.
          fixes: verifiedFixes(analysis, d).map((f) => ({ title: f.title, edits: f.edits.map((e) => ({ range: lines.range(e.span), newText: e.newText })) })),
        });
      } else {
        io.stdout(`${where(file, lines, d.span)}: ${d.severity} ${d.code} ${d.message}\n`);
      }
    }
  }
  if (json) io.stdout(JSON.stringify(records, null, 2) + '\n');
  return errors > 0 ? 1 : 0;
}
