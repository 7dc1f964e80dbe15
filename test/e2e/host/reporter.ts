// A mocha reporter that sends each result to the runner outside VS Code, which prints it and keeps the
// count (the extension host's own stdout ends up in code-server's log, not in the terminal). Without a
// runner it prints to the console, which @vscode/test-electron forwards.
import Mocha from 'mocha';
import { callRunner, hasRunner } from './runnerLink';

export interface TestReport {
  kind: 'pass' | 'fail' | 'pending' | 'end';
  title: string;
  durationMs?: number;
  error?: string;
  passes?: number;
  failures?: number;
  pending?: number;
}

/** What travels to the runner: the report and the line to print for it. */
type DeliveredReport = TestReport & { line: string };

let delivered: Promise<void> = Promise.resolve();

/** Resolves once every report so far has reached the runner (or failed to). */
export function reportsDelivered(): Promise<void> {
  return delivered;
}

function send(report: TestReport): void {
  if (!hasRunner()) {
    console.log(formatReport(report));
    return;
  }
  const delivery: DeliveredReport = { ...report, line: formatReport(report) };
  delivered = delivered.then(
    () => callRunner('/report', delivery).then(() => undefined),
  ).catch((error: unknown) => console.error(`[e2e] could not deliver a test report: ${String(error)}`));
}

function formatReport(report: TestReport): string {
  switch (report.kind) {
    case 'pass':
      return `  ✔ ${report.title} (${report.durationMs ?? 0} ms)`;
    case 'pending':
      return `  - ${report.title} (skipped)`;
    case 'fail':
      return `  ✘ ${report.title}\n${indent(report.error ?? 'unknown error')}`;
    case 'end':
      return `  ${report.passes} passing, ${report.failures} failing, ${report.pending} skipped`;
  }
}

function indent(text: string): string {
  return text.split('\n').map((line) => `      ${line}`).join('\n');
}

function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}

export class ForwardingReporter extends Mocha.reporters.Base {
  constructor(runner: Mocha.Runner, options?: Mocha.MochaOptions) {
    super(runner, options);
    const { EVENT_TEST_PASS, EVENT_TEST_FAIL, EVENT_TEST_PENDING, EVENT_RUN_END } = Mocha.Runner.constants;
    runner.on(EVENT_TEST_PASS, (test) => {
      send({ kind: 'pass', title: test.fullTitle(), durationMs: test.duration ?? 0 });
    });
    // Also fires for failing hooks, which are not tests but fail the run all the same.
    runner.on(EVENT_TEST_FAIL, (test, error) => {
      send({ kind: 'fail', title: test.fullTitle(), error: describeError(error) });
    });
    runner.on(EVENT_TEST_PENDING, (test) => {
      send({ kind: 'pending', title: test.fullTitle() });
    });
    runner.once(EVENT_RUN_END, () => {
      send({ kind: 'end', title: '', passes: this.stats.passes, failures: this.stats.failures, pending: this.stats.pending });
    });
  }
}
