// "New file from template": a blank network, a custom-block starter and the ten torchvision ResNets,
// read from the examples that ship with the extension, each with its params and MACs, opened as an
// unsaved .resnet document.

import * as vscode from 'vscode';
import { templateSummary } from './template-summary';

const torchvision = (id: string, label: string, detail: string) => ({ id, label, detail, path: `${id}.resnet` });

export const templates = [
  { id: 'blank', label: 'Blank network', detail: 'a stem and a classifier to build on', path: 'templates/blank.resnet' },
  { id: 'custom_block', label: 'Custom block', detail: 'a block of your own (a BasicBlock to change) in three stages', path: 'templates/custom_block.resnet' },
  torchvision('resnet18', 'ResNet-18', 'torchvision.models.resnet18 · basic blocks'),
  torchvision('resnet34', 'ResNet-34', 'torchvision.models.resnet34 · basic blocks'),
  torchvision('resnet50', 'ResNet-50', 'torchvision.models.resnet50 · bottlenecks'),
  torchvision('resnet101', 'ResNet-101', 'torchvision.models.resnet101'),
  torchvision('resnet152', 'ResNet-152', 'torchvision.models.resnet152'),
  torchvision('resnext50_32x4d', 'ResNeXt-50 32×4d', 'torchvision.models.resnext50_32x4d · grouped convs'),
  torchvision('resnext101_32x8d', 'ResNeXt-101 32×8d', 'torchvision.models.resnext101_32x8d'),
  torchvision('resnext101_64x4d', 'ResNeXt-101 64×4d', 'torchvision.models.resnext101_64x4d'),
  torchvision('wide_resnet50_2', 'Wide ResNet-50-2', 'torchvision.models.wide_resnet50_2 · twice the width'),
  torchvision('wide_resnet101_2', 'Wide ResNet-101-2', 'torchvision.models.wide_resnet101_2'),
];

export async function templateText(extensionUri: vscode.Uri, path: string): Promise<string> {
  const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(extensionUri, 'examples', ...path.split('/')));
  return new TextDecoder().decode(bytes);
}

/** Asks which template (unless `id` names one) and opens it as a new unsaved document. */
export async function newFileFromTemplate(extensionUri: vscode.Uri, id?: string): Promise<vscode.TextEditor | undefined> {
  let chosen = id;
  if (chosen === undefined) {
    const items = await Promise.all(
      templates.map(async (t) => ({ label: t.label, description: templateSummary(await templateText(extensionUri, t.path)), detail: t.detail, id: t.id })),
    );
    chosen = (await vscode.window.showQuickPick(items, { placeHolder: 'Start from a blank network, a block of your own or a torchvision ResNet', matchOnDetail: true }))?.id;
  }
  if (!chosen) return undefined;
  const template = templates.find((t) => t.id === chosen);
  if (!template) throw new Error(`'${chosen}' is not a template; choose one of ${templates.map((t) => t.id).join(', ')}`);
  const document = await vscode.workspace.openTextDocument({ language: 'resnet', content: await templateText(extensionUri, template.path) });
  return vscode.window.showTextDocument(document);
}
