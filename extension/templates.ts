// "New file from template": the ten torchvision ResNets, read from the examples that ship with the
// extension, opened as an unsaved .resnet document.

import * as vscode from 'vscode';

export const templates = [
  { file: 'resnet18', label: 'ResNet-18', detail: 'torchvision.models.resnet18 · basic blocks' },
  { file: 'resnet34', label: 'ResNet-34', detail: 'torchvision.models.resnet34 · basic blocks' },
  { file: 'resnet50', label: 'ResNet-50', detail: 'torchvision.models.resnet50 · bottlenecks' },
  { file: 'resnet101', label: 'ResNet-101', detail: 'torchvision.models.resnet101' },
  { file: 'resnet152', label: 'ResNet-152', detail: 'torchvision.models.resnet152' },
  { file: 'resnext50_32x4d', label: 'ResNeXt-50 32×4d', detail: 'torchvision.models.resnext50_32x4d · grouped convs' },
  { file: 'resnext101_32x8d', label: 'ResNeXt-101 32×8d', detail: 'torchvision.models.resnext101_32x8d' },
  { file: 'resnext101_64x4d', label: 'ResNeXt-101 64×4d', detail: 'torchvision.models.resnext101_64x4d' },
  { file: 'wide_resnet50_2', label: 'Wide ResNet-50-2', detail: 'torchvision.models.wide_resnet50_2 · twice the width' },
  { file: 'wide_resnet101_2', label: 'Wide ResNet-101-2', detail: 'torchvision.models.wide_resnet101_2' },
] as const;

export async function templateText(extensionUri: vscode.Uri, file: string): Promise<string> {
  const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(extensionUri, 'examples', `${file}.resnet`));
  return new TextDecoder().decode(bytes);
}

/** Asks which template (unless `file` names one) and opens it as a new unsaved document. */
export async function newFileFromTemplate(extensionUri: vscode.Uri, file?: string): Promise<vscode.TextEditor | undefined> {
  const chosen = file ?? (await vscode.window.showQuickPick(templates.map((t) => ({ ...t, description: `${t.file}.resnet` })), { placeHolder: 'A torchvision ResNet to start from' }))?.file;
  if (!chosen) return undefined;
  if (!templates.some((t) => t.file === chosen)) throw new Error(`'${chosen}' is not a template; choose one of ${templates.map((t) => t.file).join(', ')}`);
  const document = await vscode.workspace.openTextDocument({ language: 'resnet', content: await templateText(extensionUri, chosen) });
  return vscode.window.showTextDocument(document);
}
