// The status-bar item naming the execution provider: the setting, and once a run has happened, the
// EP that actually ran. Clicking it offers the choices and writes `resnetStudio.executionProvider`.
import * as vscode from 'vscode';
import { join } from 'node:path';
import { epAvailability } from '../engine/runtime/ep-availability';
import { cudaProvidersPresent, EP_CHOICES, linuxGpuDevicePresent, ortBinaryFolder, type EpChoice, type EpReport, type PlatformFacts } from '../engine/runtime/providers';
import { EP_SETTING, SECTION, inferenceSettings, setExecutionProvider } from './settings';

export const CHOOSE_EP_COMMAND = 'resnetStudio.chooseExecutionProvider';

const DESCRIPTIONS: Record<EpChoice, string> = {
  auto: 'the first GPU EP that starts on this machine, else the CPU',
  cuda: 'NVIDIA GPUs (CUDA 12, cuDNN 9)',
  tensorrt: 'NVIDIA GPUs through TensorRT 10',
  dml: 'DirectML: DirectX 12 GPUs on Windows',
  coreml: 'Apple GPUs and Neural Engine on macOS',
  webgpu: 'Vulkan, Metal or DirectX 12 through Dawn',
  cpu: 'onnxruntime on the CPU',
};

export class EpStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('resnetStudio.executionProvider', vscode.StatusBarAlignment.Right, 100);
  private lastRan: EpReport | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor() {
    this.item.name = 'ResNet Studio execution provider';
    this.item.command = CHOOSE_EP_COMMAND;
    this.subscriptions.push(
      vscode.commands.registerCommand(CHOOSE_EP_COMMAND, () => this.choose()),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration(`${SECTION}.${EP_SETTING}`)) {
          this.lastRan = undefined;
          this.update();
        }
      }),
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
    );
    this.update();
  }

  /** After a run: show what ran. */
  ran(report: EpReport): void {
    this.lastRan = report;
    this.update();
  }

  dispose(): void {
    this.item.dispose();
    this.subscriptions.forEach((s) => s.dispose());
  }

  private update(): void {
    const setting = inferenceSettings().ep;
    const ran = this.lastRan;
    this.item.text = ran ? `$(circuit-board) ${ran.ran}` : `$(circuit-board) EP: ${setting}`;
    const tooltip = new vscode.MarkdownString(
      ran
        ? `ResNet Studio: the last run used **${ran.ran}** (setting: ${setting}).${ran.attempts.some((a) => !a.ok) ? `\n\nNot used: ${ran.attempts.filter((a) => !a.ok).map((a) => `${a.ep} (${a.error})`).join('; ')}` : ''}\n\nClick to change the execution provider.`
        : `ResNet Studio execution provider: **${setting}**. Click to change it.`,
    );
    this.item.tooltip = tooltip;
    const relevant = vscode.window.activeTextEditor?.document.languageId === 'resnet' || ran !== undefined;
    if (relevant) this.item.show();
    else this.item.hide();
  }

  private async choose(): Promise<void> {
    const current = inferenceSettings().ep;
    const facts = machineFacts();
    const picked = await vscode.window.showQuickPick(
      EP_CHOICES.map((ep) => {
        const { runs, why } = epAvailability(ep, facts);
        return {
          label: `${runs ? '$(check)' : '$(circle-slash)'} ${ep}`,
          description: ep === current ? `${DESCRIPTIONS[ep]} (current)` : DESCRIPTIONS[ep],
          detail: `${runs ? 'Can run on this machine' : 'Cannot run on this machine'}: ${why}`,
          ep,
        };
      }),
      { title: 'ResNet Studio: execution provider', placeHolder: `current: ${current} · ✓ can run on this machine` },
    );
    if (picked && picked.ep !== current) await setExecutionProvider(picked.ep);
  }
}

/** What the worker's `auto` choice looks at, read here without loading onnxruntime. */
function machineFacts(): PlatformFacts {
  let cudaPresent = false;
  try {
    // The bundle (dist/extension.js) sits beside node_modules, in the VSIX as in the repository.
    cudaPresent = cudaProvidersPresent(ortBinaryFolder(join(__dirname, '..', 'node_modules', 'onnxruntime-node')));
  } catch {
    // onnxruntime-node not found from here: the worker will say so when it runs.
  }
  return { platform: process.platform, cudaPresent, gpuDevicePresent: process.platform === 'linux' && linuxGpuDevicePresent() };
}
