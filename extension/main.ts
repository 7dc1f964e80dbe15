// Extension entry point. VS Code activates it when a `.resnet` document opens (the contributed `resnet`
// language implies the `onLanguage:resnet` activation event) or one of its commands runs. Activation
// starts the language client and registers commands; nothing native may be loaded here.
import type { ExtensionContext } from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { createClient, startClient } from './client';
import { registerCommands } from './commands';
import { registerInference } from './inference';
import { registerPreview } from './preview';
import { registerTraining } from './training';

let client: LanguageClient | undefined;

export async function activate(context: ExtensionContext): Promise<void> {
  client = createClient(context);
  registerCommands(context, client);
  const preview = registerPreview(context, () => client);
  registerInference(context, (message) => preview.current?.post(message));
  registerTraining(context);
  await startClient(client);
}

export function deactivate(): Promise<void> | undefined {
  return client?.stop();
}
