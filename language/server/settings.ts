// The `resnetStudio` settings, pulled from the client per document and cached until they change.

import { DidChangeConfigurationNotification, type Connection } from 'vscode-languageserver/node';
import { defaultSettings, type Settings } from '../../contracts/server';

export interface SettingsSource {
  get(uri: string): Promise<Settings>;
}

/** What the client said it can do: answer workspace/configuration, and take a dynamic registration for changes. */
export interface SettingsCapabilities {
  pulls: boolean;
  registers: boolean;
}

export function registerSettings(connection: Connection, client: () => SettingsCapabilities): SettingsSource {
  const cache = new Map<string, Promise<Settings>>();
  const clientPulls = () => client().pulls;
  connection.onInitialized(() => {
    // A client without dynamic registration (Neovim's, for one) answers client/registerCapability with an error.
    if (client().pulls && client().registers) void connection.client.register(DidChangeConfigurationNotification.type, { section: 'resnetStudio' });
  });
  connection.onDidChangeConfiguration(() => {
    cache.clear();
    void connection.languages.inlayHint.refresh().catch(() => undefined);
  });
  return {
    get(uri) {
      if (!clientPulls()) return Promise.resolve(defaultSettings);
      let settings = cache.get(uri);
      if (!settings) {
        settings = connection.workspace.getConfiguration({ scopeUri: uri, section: 'resnetStudio' }).then(
          (value: Partial<Settings> | null) => ({ inlayHints: { ...defaultSettings.inlayHints, ...value?.inlayHints } }),
          () => defaultSettings,
        );
        cache.set(uri, settings);
      }
      return settings;
    },
  };
}
