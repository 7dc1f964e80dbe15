// The ResNet Studio language server: its own process, over stdio or Node IPC (whichever the command
// line names, as vscode-languageserver reads it). One registration call per feature file.

import type { InitializationOptions } from '../../contracts/server';
import { createConnection, ProposedFeatures, TextDocumentSyncKind, type InitializeResult } from 'vscode-languageserver/node';
import { registerCodeActions } from './code-actions';
import { registerCodeLens } from './code-lens';
import { registerCompletion } from './completion';
import { registerDiagnostics } from './diagnostics';
import { Documents } from './documents';
import { registerFolding } from './folding';
import { registerFormatting } from './formatting';
import { registerGraphRequest } from './graph';
import { registerHover } from './hover';
import { registerInlayHints } from './inlay-hints';
import { registerNavigation } from './navigation';
import { registerOutline } from './outline';
import { registerSelectionRanges } from './selection-ranges';
import { registerSemanticTokens, tokenModifiers, tokenTypes } from './semantic-tokens';
import { choosePreludeLocation } from './prelude-location';
import { registerSettings, type SettingsCapabilities } from './settings';
import { registerSignatureHelp } from './signature-help';

const connection = createConnection(ProposedFeatures.all);
const documents = new Documents();
let settingsCapabilities: SettingsCapabilities = { pulls: false, registers: false };
let revealsEdits = false;

connection.onInitialize((params): InitializeResult => {
  const options = params.initializationOptions as InitializationOptions | undefined;
  choosePreludeLocation(options);
  revealsEdits = options?.revealsEdits === true;
  const workspace = params.capabilities.workspace;
  settingsCapabilities = { pulls: workspace?.configuration === true, registers: workspace?.didChangeConfiguration?.dynamicRegistration === true };
  return {
    capabilities: {
      textDocumentSync: TextDocumentSyncKind.Incremental,
      hoverProvider: true,
      completionProvider: { triggerCharacters: ['(', ',', '=', ' ', '+'] },
      signatureHelpProvider: { triggerCharacters: ['(', ','], retriggerCharacters: ['='] },
      definitionProvider: true,
      referencesProvider: true,
      documentHighlightProvider: true,
      renameProvider: { prepareProvider: true },
      documentSymbolProvider: true,
      foldingRangeProvider: true,
      selectionRangeProvider: true,
      codeActionProvider: { codeActionKinds: ['quickfix'] },
      codeLensProvider: { resolveProvider: false },
      documentFormattingProvider: true,
      inlayHintProvider: true,
      semanticTokensProvider: { legend: { tokenTypes: [...tokenTypes], tokenModifiers: [...tokenModifiers] }, full: true },
    },
    serverInfo: { name: 'resnet-studio' },
  };
});

const settings = registerSettings(connection, () => settingsCapabilities);
registerDiagnostics(connection, documents);
registerHover(connection, documents);
registerInlayHints(connection, documents, settings);
registerCompletion(connection, documents);
registerSignatureHelp(connection, documents);
registerCodeActions(connection, documents, () => revealsEdits);
registerCodeLens(connection, documents);
registerFormatting(connection, documents);
registerNavigation(connection, documents);
registerOutline(connection, documents);
registerFolding(connection, documents);
registerSelectionRanges(connection, documents);
registerSemanticTokens(connection, documents);
registerGraphRequest(connection, documents);

documents.open.listen(connection);
connection.listen();
