// How a run that cannot start or fails is shown: a card in the results view, where it stays, and an
// error message with the same actions (choose weights, dry run, choose a provider, the log, the problems).
import * as vscode from 'vscode';
import { InferenceError } from '../engine/runtime/client';
import { guiText, type FailureAction, type FailureView } from '../contracts/results';
import type { DocumentModel, DocumentProblem } from './inference-model';
import type { ResultsPanel } from './results-panel';
import { CHOOSE_EP_COMMAND } from './status-bar';

export const ERROR_ACTIONS = {
  chooseWeights: 'Choose weights file…',
  randomWeights: 'Dry run with random weights',
  chooseEp: 'Choose execution provider…',
  showLog: 'Show log',
  showProblems: 'Show problems',
  trust: 'Manage Workspace Trust',
} satisfies Record<FailureAction | 'trust', string>;

/** Where weights come from, for a network that has none yet. */
const WEIGHTS_HELP = [
  "Weights are a .safetensors file of the network's state_dict, with",
  "torchvision's keys (conv1.weight, layer1.0.bn1.running_mean, ...).",
  "From torchvision's pretrained weights, with Python (pip install safetensors):",
  '',
  '  import torch, torchvision; from safetensors.torch import save_file',
  '  save_file(torchvision.models.resnet50(weights="DEFAULT").state_dict(), "resnet50.safetensors")',
  '',
  'From a checkpoint of your own:',
  '',
  '  save_file(torch.load("checkpoint.pth", map_location="cpu"), "model.safetensors")',
  '',
  '"Dry run with random weights" runs the network with seeded random weights:',
  'the shapes and timings are real, the classes mean nothing.',
].join('\n');

/** What the failure cards' actions do. */
export interface FailureActions {
  chooseWeights(document: vscode.TextDocument, network: string): void;
  dryRun(document: vscode.TextDocument, network: string): void;
  showLog(): void;
}

export class FailureReporter {
  constructor(
    private readonly log: vscode.LogOutputChannel,
    private readonly panel: ResultsPanel,
    private readonly actions: FailureActions,
  ) {}

  /** A network that cannot run as it is: no usable weights, errors in the file, or anything else. */
  reportProblem(problem: DocumentProblem): void {
    const message = `${vscode.workspace.asRelativePath(problem.document.uri)}: ${problem.message}`;
    this.log.warn(message);
    if (problem.kind === 'no-weights' || problem.kind === 'weights') {
      this.showFailure(`Network ${problem.network.name} has no usable weights`, `${message}.`, {
        details: WEIGHTS_HELP,
        actions: this.weightsActions(problem.document, problem.network.name),
      });
    } else if (problem.kind === 'errors') {
      this.showFailure('The network has errors', `${message}.`, { actions: { showProblems: () => void vscode.commands.executeCommand('workbench.actions.view.problems') } });
    } else {
      this.showFailure('Cannot run', `${message}.`, { actions: { showLog: () => this.actions.showLog() } });
    }
  }

  /** A run the worker failed (a crash has been reported by InferenceEngine; a cancel is only logged). */
  reportFailure(error: unknown, model: DocumentModel): void {
    if (!(error instanceof InferenceError)) {
      this.log.error(String((error as Error)?.stack ?? error));
      void vscode.window.showErrorMessage(`ResNet Studio: inference failed: ${(error as Error)?.message ?? error}`);
      return;
    }
    if (error.kind === 'cancelled') {
      this.log.info('cancelled');
      return;
    }
    this.log.error(`${error.kind}: ${error.message}`);
    if (error.kind === 'crash') return;
    const network = model.network.name;
    const showLog = () => this.actions.showLog();
    if (error.kind === 'weights') {
      const summary = error.weights ? `${error.weights.summary}` : error.headline;
      this.showFailure(`The weights of ${network} cannot be used`, `The weights of network ${network} cannot be used: ${summary}`, {
        details: `${error.weights?.details ?? error.message}\n\n${WEIGHTS_HELP}`,
        actions: this.weightsActions(model.document, network),
      });
    } else if (error.kind === 'ep') {
      this.showFailure('The execution provider could not start', guiText(error.message), { actions: { chooseEp: () => void vscode.commands.executeCommand(CHOOSE_EP_COMMAND), showLog } });
    } else {
      this.showFailure(`${network} could not run`, error.headline, { details: error.message, actions: { showLog } });
    }
  }

  private weightsActions(document: vscode.TextDocument, network: string): Partial<Record<FailureAction, () => void>> {
    return {
      chooseWeights: () => this.actions.chooseWeights(document, network),
      randomWeights: () => this.actions.dryRun(document, network),
      showLog: () => this.actions.showLog(),
    };
  }

  private showFailure(title: string, message: string, options: { details?: string; actions: Partial<Record<FailureAction, () => void>> }): void {
    const actions = Object.keys(options.actions) as FailureAction[];
    const view: FailureView = {
      kind: 'failure',
      id: this.panel.newId('failure'),
      startedAt: new Date().toISOString(),
      title,
      message,
      ...(options.details ? { details: options.details } : {}),
      actions: actions.map((action) => ({ action, label: ERROR_ACTIONS[action] })),
    };
    void this.panel.show({ view, actions: options.actions });
    void vscode.window.showErrorMessage(`ResNet Studio: ${message}`, ...actions.map((a) => ERROR_ACTIONS[a])).then((label) => {
      const action = actions.find((a) => ERROR_ACTIONS[a] === label);
      if (action) options.actions[action]?.();
    });
  }
}
