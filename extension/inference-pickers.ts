// Quick picks for the inference commands: an image of the workspace (newest first, with a thumbnail
// and the file size), a clip for a C×T×H×W network (a folder of frames, an animated GIF or WebP, a
// video) and a `.resnet` model (the active editor's when there is one).
import * as vscode from 'vscode';
import { CLIP_FILE_EXTENSIONS, IMAGE_FORMAT_NAMES, imageGlob } from '../engine/runtime/image-formats';

const EXCLUDE = '{**/node_modules/**,**/.git/**}';
const MAX_IMAGES = 5000;

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

interface ImageItem extends vscode.QuickPickItem {
  uri: vscode.Uri;
  mtime: number;
}

export async function pickImage(): Promise<vscode.Uri | undefined> {
  const quickPick = vscode.window.createQuickPick<ImageItem>();
  quickPick.title = 'Run inference: choose an image';
  quickPick.placeholder = 'Images in the workspace, most recent first';
  quickPick.matchOnDescription = true;
  quickPick.busy = true;
  quickPick.show();
  const chosen = new Promise<vscode.Uri | undefined>((resolve) => {
    quickPick.onDidAccept(() => {
      resolve(quickPick.selectedItems[0]?.uri);
      quickPick.hide();
    });
    quickPick.onDidHide(() => {
      resolve(undefined);
      quickPick.dispose();
    });
  });
  const uris = await vscode.workspace.findFiles(imageGlob(), EXCLUDE, MAX_IMAGES);
  const items = await Promise.all(
    uris.map(async (uri): Promise<ImageItem> => {
      let size = 0;
      let mtime = 0;
      try {
        const info = await vscode.workspace.fs.stat(uri);
        size = info.size;
        mtime = info.mtime;
      } catch {
        // Deleted since the search: listed without a size, last.
      }
      const path = vscode.workspace.asRelativePath(uri);
      const slash = path.lastIndexOf('/');
      return { label: path.slice(slash + 1), description: `${slash >= 0 ? path.slice(0, slash) : ''} · ${formatBytes(size)}`, iconPath: uri, uri, mtime };
    }),
  );
  items.sort((a, b) => b.mtime - a.mtime || a.uri.path.localeCompare(b.uri.path));
  quickPick.items = items;
  quickPick.busy = false;
  if (items.length === 0) quickPick.placeholder = `No ${IMAGE_FORMAT_NAMES} images in the workspace`;
  return chosen;
}

/** A clip: a folder of frames, or an animated GIF or WebP or a video file. */
export async function pickClip(): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    title: 'Run inference: choose a clip (a folder of frames, an animated GIF or WebP, or a video)',
    openLabel: 'Run',
    canSelectFiles: true,
    canSelectFolders: true,
    canSelectMany: false,
    filters: { Clips: CLIP_FILE_EXTENSIONS.map((e) => e.slice(1)), 'All files': ['*'] },
  });
  return picked?.[0];
}

/** The active `.resnet` editor's document, else a pick among the workspace's `.resnet` files. */
export async function pickModel(purpose = 'Run inference'): Promise<vscode.TextDocument | undefined> {
  const active = vscode.window.activeTextEditor?.document;
  if (active?.languageId === 'resnet') return active;
  const files = await vscode.workspace.findFiles('**/*.resnet', EXCLUDE);
  if (files.length === 0) {
    void vscode.window.showWarningMessage('ResNet Studio: the workspace has no .resnet file to run.');
    return undefined;
  }
  const withTimes = await Promise.all(files.map(async (uri) => ({ uri, mtime: (await Promise.resolve(vscode.workspace.fs.stat(uri)).catch(() => undefined))?.mtime ?? 0 })));
  withTimes.sort((a, b) => b.mtime - a.mtime || a.uri.path.localeCompare(b.uri.path));
  const picked = await vscode.window.showQuickPick(
    withTimes.map(({ uri }) => ({ label: vscode.workspace.asRelativePath(uri), uri })),
    { title: `${purpose}: which model?`, placeHolder: '.resnet files in the workspace' },
  );
  return picked && vscode.workspace.openTextDocument(picked.uri);
}
