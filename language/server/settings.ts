// The `resnetStudio` settings, pulled from the client per document and cached until they change.

import { DidChangeConfigurationNotification, type Connection } from 'vscode-languageserver/node';
import { defaultSettings, type Settings } from '../../contracts/server';

export interface SettingsSource {
  get(uri: string): Promise<Settings>;
}

export function registerSettings(connection: Connection, clientPulls: () => boolean): SettingsSource {
  const cache = new Map<string, Promise<Settings>>();
  connection.onInitialized(() => {
    if (clientPulls()) void connection.client.register(DidChangeConfigurationNotification.type, { section: 'resnetStudio' });
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
