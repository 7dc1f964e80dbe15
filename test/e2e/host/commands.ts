// UI commands in the end-to-end suites.
import * as vscode from 'vscode';
import { hasRunner, workbenchText } from './runnerLink';
import { waitFor } from './wait';

/** Runs a UI command until the workbench shows `needle` under `selector`: a first request (after start-up or a change) can go unanswered. */
export async function commandShows(description: string, command: string, selector: string, needle: string): Promise<void> {
  let asked = 0;
  await waitFor(description, async () => {
    if (Date.now() - asked >= 3000) {
      asked = Date.now();
      await vscode.commands.executeCommand(command);
    }
    return !hasRunner() || (await workbenchText(selector))?.some((text) => text.includes(needle));
  });
}
