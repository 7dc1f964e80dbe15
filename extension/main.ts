// Extension entry point. VS Code activates it when a `.resnet` document opens (the contributed `resnet`
// language implies the `onLanguage:resnet` activation event). The language client and commands are
// registered here as they arrive; nothing native may be loaded at activation.
import type { ExtensionContext } from 'vscode';

export function activate(_context: ExtensionContext): void {}

export function deactivate(): void {}
