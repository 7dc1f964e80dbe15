// What the server and the VS Code client agree on, imported by both sides.

/** The prelude opens read-only from this URI (the client serves its text). */
export const preludeUri = 'resnet-prelude:/prelude.resnet';

export const preludeScheme = 'resnet-prelude';

/**
 * Node's flags for the server process. Analysing a large file makes mostly young garbage; with
 * 64 MB semi-spaces the young generation holds a 10,000-layer file's analysis, which then takes
 * half the time (tools/bench/language.mjs runs under the same flags).
 */
export const serverNodeFlags = ['--max-semi-space-size=64'];

/** What VS Code's client puts in `initializationOptions`. */
export interface InitializationOptions {
  /** The client serves the prelude under `resnet-prelude:`; without it the server points at a file. */
  servesPrelude?: boolean;
  /** The client runs `commands.revealEdit` after a quick fix, so an edit away from the cursor is shown. */
  revealsEdits?: boolean;
}

/** Commands that CodeLenses offer; later features register them in the client. */
export const commands = {
  openPreview: 'resnetStudio.openPreview',
  runInference: 'resnetStudio.runInference',
  train: 'resnetStudio.train',
  /** After a quick fix: (uri, LSP range of its first edit) scrolls to the edited line and puts the cursor there. */
  revealEdit: 'resnetStudio.revealEdit',
} as const;

/** The `resnetStudio` settings the server reads. */
export interface Settings {
  inlayHints: { enabled: boolean };
}

export const defaultSettings: Settings = { inlayHints: { enabled: true } };
