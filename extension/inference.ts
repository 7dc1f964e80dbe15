// Inference from VS Code: the commands (run on an image, evaluate a folder, run again, choose
// weights, stop the worker), the results view, the execution-provider status bar item and the
// runtime log. `registerInference` is the one call extension/main.ts makes. Nothing here loads
// native code: onnxruntime and sharp live in the worker process that InferenceEngine starts lazily.
import * as vscode from 'vscode';
import { labelOf } from '../engine/runtime/classes';
import { InferenceError } from '../engine/runtime/client';
import { confidentMistakes, evaluate, listDataset, reportFigures, runInBatches, type Dataset } from '../engine/runtime/dataset';
import { formatEpReport } from '../engine/runtime/providers';
import type { InferResult } from '../contracts/worker';
import { InferenceEngine, type EngineRequest } from './inference-engine';
import { isModelProblem, loadModel, writeWeightsDeclaration, type ModelChoice, type ModelProblem } from './inference-model';
import { pickImage, pickModel } from './inference-pickers';
import { withCancellableProgress } from './inference-progress';
import { epFallbackNote, evaluationCsv, evaluationJson, imageRunJson, topScores } from './results-format';
import { ResultsPanel } from './results-panel';
import { inferenceSettings } from './settings';
import { EpStatusBar, CHOOSE_EP_COMMAND } from './status-bar';
import type { EvalRunView, ImageRunView } from '../contracts/results';

export const COMMANDS = {
  runInference: 'resnetStudio.runInference',
  runInferenceOnImage: 'resnetStudio.runInferenceOnImage',
  evaluateFolder: 'resnetStudio.evaluateFolder',
  runAgain: 'resnetStudio.runAgain',
  chooseWeights: 'resnetStudio.chooseWeights',
  stopWorker: 'resnetStudio.stopInferenceWorker',
  showLog: 'resnetStudio.showInferenceLog',
} as const;

const LAST_RUN_KEY = 'resnetStudio.lastRun';
const CAN_RUN_AGAIN_CONTEXT = 'resnetStudio.canRunAgain';
const MISTAKES_SHOWN = 12;

/** What "Run again" repeats, remembered per workspace. */
type LastRun = { kind: 'image' | 'folder'; target: string; model: string; network: string };

/** What the commands return: enough for a caller (or a test) to know what was shown. */
export interface ImageRunOutcome {
  id: string;
  network: string;
  /** The image's path on the machine the extension runs on. */
  image: string;
  top: { index: number; label: string; probability: number }[];
  ep: string;
  cached: boolean;
  /** The worker process that ran it. */
  workerPid: number | undefined;
  /** From the command's start until the results view painted the result. */
  totalMs: number;
}

export interface EvalOutcome {
  id: string;
  state: EvalRunView['state'];
  total: number;
  correct: number;
  accuracy: number | null;
  imagesPerSecond: number;
  ep: string | undefined;
}

const ERROR_ACTIONS = { chooseWeights: 'Choose weights file…', chooseEp: 'Choose execution provider…', showLog: 'Show log', trust: 'Manage Workspace Trust' };

class InferenceController {
  private readonly log = vscode.window.createOutputChannel('ResNet Studio Inference', { log: true });
  private readonly engine: InferenceEngine;
  private readonly panel: ResultsPanel;
  private readonly statusBar = new EpStatusBar();

  constructor(private readonly context: vscode.ExtensionContext) {
    this.engine = new InferenceEngine(vscode.Uri.joinPath(context.extensionUri, 'dist', 'worker.js').fsPath, this.log, () => inferenceSettings().idleShutdownSeconds);
    this.panel = new ResultsPanel(context.extensionUri, this.log, () => void vscode.commands.executeCommand(COMMANDS.runAgain));
    context.subscriptions.push(this.log, this.engine, this.panel, this.statusBar);
    void vscode.commands.executeCommand('setContext', CAN_RUN_AGAIN_CONTEXT, this.lastRun() !== undefined);
  }

  /**
   * Palette (no arguments: image, then model), CodeLens (model URI and network name: the model is
   * checked before the image is asked for) or explorer (image URI, then model).
   */
  async runInference(target?: vscode.Uri | string, networkName?: string): Promise<ImageRunOutcome | undefined> {
    if (!this.trusted()) return undefined;
    const uri = typeof target === 'string' ? vscode.Uri.parse(target) : target;
    if (uri?.path.endsWith('.resnet')) {
      const model = await this.prepare(await vscode.workspace.openTextDocument(uri), networkName);
      const image = model && (await pickImage());
      return image && this.runImage(image, model);
    }
    const image = uri ?? (await pickImage());
    if (!image) return undefined;
    const document = await pickModel();
    const model = document && (await this.prepare(document, networkName));
    return model && this.runImage(image, model);
  }

  async evaluateFolder(folder?: vscode.Uri, modelUri?: vscode.Uri | string, networkName?: string): Promise<EvalOutcome | undefined> {
    if (!this.trusted()) return undefined;
    const chosen =
      folder ??
      (await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, title: 'Evaluate ResNet on folder', openLabel: 'Evaluate' }))?.[0];
    if (!chosen) return undefined;
    const model = typeof modelUri === 'string' ? vscode.Uri.parse(modelUri) : modelUri;
    const document = model ? await vscode.workspace.openTextDocument(model) : await pickModel();
    if (!document) return undefined;
    return this.runFolder(chosen, document, networkName);
  }

  async runAgain(): Promise<ImageRunOutcome | EvalOutcome | undefined> {
    const last = this.lastRun();
    if (!last) {
      void vscode.window.showInformationMessage('ResNet Studio: nothing to run again yet; run inference on an image or a folder first.');
      return undefined;
    }
    if (!this.trusted()) return undefined;
    let document: vscode.TextDocument;
    try {
      document = await vscode.workspace.openTextDocument(vscode.Uri.parse(last.model));
    } catch (error) {
      void vscode.window.showErrorMessage(`ResNet Studio: cannot run again: ${vscode.Uri.parse(last.model).fsPath} cannot be opened (${(error as Error).message}).`);
      return undefined;
    }
    if (last.kind === 'folder') return this.runFolder(vscode.Uri.parse(last.target), document, last.network);
    const model = await this.prepare(document, last.network);
    return model && this.runImage(vscode.Uri.parse(last.target), model);
  }

  async chooseWeights(modelUri: vscode.Uri | string, networkName: string): Promise<boolean> {
    // loadModel reads the labels file, which may be anywhere: like every path a model names, only in a trusted workspace.
    if (!this.trusted()) return false;
    const document = await vscode.workspace.openTextDocument(typeof modelUri === 'string' ? vscode.Uri.parse(modelUri) : modelUri);
    const network = (await loadModel(document, networkName, this.log))?.network;
    if (!network) return false;
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      filters: { 'safetensors weights': ['safetensors'] },
      defaultUri: vscode.Uri.joinPath(document.uri, '..'),
      title: `Weights for network ${network.name}`,
      openLabel: 'Use these weights',
    });
    if (!picked?.[0]) return false;
    const written = await writeWeightsDeclaration(document, network, picked[0]);
    // The edit is left unsaved, in view, for the user to check and save.
    if (written) await vscode.window.showTextDocument(document);
    return written;
  }

  async stopWorker(): Promise<void> {
    await this.engine.stop('stopped by command');
  }

  showLog(): void {
    this.log.show(true);
  }

  private lastRun(): LastRun | undefined {
    return this.context.workspaceState.get<LastRun>(LAST_RUN_KEY);
  }

  /** Not awaited by the runs: both calls are round trips to the window, and "Run again" repeats an unchanged choice. */
  private remember(last: LastRun): void {
    const previous = this.lastRun();
    if (previous && JSON.stringify(previous) === JSON.stringify(last)) return;
    void this.context.workspaceState.update(LAST_RUN_KEY, last);
    void vscode.commands.executeCommand('setContext', CAN_RUN_AGAIN_CONTEXT, true);
  }

  private trusted(): boolean {
    if (vscode.workspace.isTrusted) return true;
    void vscode.window
      .showWarningMessage(
        'ResNet Studio: this workspace is in Restricted Mode. Loading weights and running inference execute native code on files from the workspace, so they are disabled until you trust it; the language features keep working.',
        ERROR_ACTIONS.trust,
      )
      .then((action) => action && vscode.commands.executeCommand('workbench.trust.manage'));
    return false;
  }

  private async prepare(document: vscode.TextDocument, networkName: string | undefined): Promise<ModelChoice | undefined> {
    const model = await loadModel(document, networkName, this.log);
    if (!model) return undefined;
    if (isModelProblem(model)) {
      this.reportProblem(model);
      return undefined;
    }
    return model;
  }

  private reportProblem(problem: ModelProblem): void {
    this.log.warn(problem.message);
    if (problem.kind === 'weights' && problem.network) {
      const network = problem.network;
      void vscode.window
        .showErrorMessage(`ResNet Studio: ${problem.message} Choose a .safetensors file to declare it in the network.`, ERROR_ACTIONS.chooseWeights)
        .then((action) => action && vscode.commands.executeCommand(COMMANDS.chooseWeights, problem.document.uri, network.name));
    } else if (problem.kind === 'errors') {
      void vscode.window
        .showErrorMessage(`ResNet Studio: ${problem.message}`, 'Show Problems')
        .then((action) => action && vscode.commands.executeCommand('workbench.actions.view.problems'));
    } else {
      void vscode.window.showErrorMessage(`ResNet Studio: ${problem.message}`);
    }
  }

  private reportFailure(error: unknown, model: ModelChoice): void {
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
    if (error.kind === 'crash') return; // InferenceEngine has reported it.
    if (error.kind === 'weights') {
      const summary = error.weights ? `${error.weights.summary}` : firstLine(error.message);
      void vscode.window
        .showErrorMessage(`ResNet Studio: the weights of network ${model.network.name} cannot be used: ${summary}`, ERROR_ACTIONS.chooseWeights, ERROR_ACTIONS.showLog)
        .then((action) => {
          if (action === ERROR_ACTIONS.chooseWeights) void vscode.commands.executeCommand(COMMANDS.chooseWeights, model.document.uri, model.network.name);
          if (action === ERROR_ACTIONS.showLog) this.showLog();
        });
    } else if (error.kind === 'ep') {
      void vscode.window
        .showErrorMessage(`ResNet Studio: ${error.message}`, ERROR_ACTIONS.chooseEp)
        .then((action) => action && vscode.commands.executeCommand(CHOOSE_EP_COMMAND));
    } else {
      void vscode.window
        .showErrorMessage(`ResNet Studio: ${firstLine(error.message)}`, ERROR_ACTIONS.showLog)
        .then((action) => action && this.showLog());
    }
  }

  private request(model: ModelChoice, paths: string[], includeSeenImage: boolean): EngineRequest {
    const settings = inferenceSettings();
    return {
      network: model.network,
      weights: { kind: 'file', path: model.weightsPath },
      ep: settings.ep,
      inputs: paths.map((path) => ({ kind: 'image', path })),
      includeSeenImage,
      threads: settings.threads,
      sessionCacheSize: settings.sessionCacheSize,
    };
  }

  private logResult(what: string, result: InferResult): void {
    const s = result.session;
    this.log.info(
      `${what}: ${formatEpReport(result.ep).join('; ')}; ` +
        (s.cached ? 'session cached' : `weights ${s.weightsMs.toFixed(1)} ms, compile ${s.compileMs.toFixed(1)} ms, session ${s.sessionMs.toFixed(1)} ms`),
    );
  }

  private async runImage(image: vscode.Uri, model: ModelChoice): Promise<ImageRunOutcome | undefined> {
    const started = performance.now();
    if (image.scheme !== 'file') {
      void vscode.window.showErrorMessage(`ResNet Studio: ${image.toString()} is not a file on this machine.`);
      return undefined;
    }
    const document = model.document;
    this.remember({ kind: 'image', target: image.toString(), model: document.uri.toString(), network: model.network.name });
    const imageLabel = vscode.workspace.asRelativePath(image);
    let result: InferResult;
    try {
      result = await withCancellableProgress(`Running ${model.network.name} on ${imageLabel}`, (signal) =>
        this.engine.infer(this.request(model, [image.fsPath], true), signal),
      );
    } catch (error) {
      this.reportFailure(error, model);
      return undefined;
    }
    this.statusBar.ran(result.ep);
    this.logResult(`${model.network.name} on ${imageLabel}`, result);
    const output = result.results[0]!;
    const settings = inferenceSettings();
    const top = output.logits ? topScores(output.logits, model.labels, settings.topK) : [];
    const id = this.panel.newId('image');
    const view: ImageRunView = {
      kind: 'image',
      id,
      startedAt: new Date().toISOString(),
      network: model.network.name,
      modelFile: vscode.workspace.asRelativePath(document.uri),
      image: imageLabel,
      imageSrc: this.panel.asWebviewUri(image),
      ...(output.original ? { original: output.original } : {}),
      ...(output.seen ? { seen: { width: output.seen.width, height: output.seen.height, channels: output.seen.channels, base64: Buffer.from(output.seen.pixels.buffer, output.seen.pixels.byteOffset, output.seen.pixels.byteLength).toString('base64') } } : {}),
      top,
      ep: result.ep,
      timings: { ...output.timings, session: result.session, totalMs: performance.now() - started },
      randomWeights: result.weights.random,
      ...(output.error ? { error: output.error } : {}),
    };
    if (output.error) {
      this.log.error(output.error);
      void vscode.window.showErrorMessage(`ResNet Studio: ${output.error}`);
    }
    const note = epFallbackNote(result.ep);
    if (note) this.log.info(`execution provider: ${note}`);
    const json = () =>
      imageRunJson({ network: model.network.name, modelFile: view.modelFile, weights: model.weightsPath, result, output, labels: model.labels, topK: settings.topK });
    await this.panel.show({ view, json });
    const totalMs = performance.now() - started;
    this.log.info(`${model.network.name} on ${imageLabel}: ${top[0] ? `${top[0].label} ${(top[0].probability * 100).toFixed(2)}%` : 'no result'}; command to rendered result ${totalMs.toFixed(1)} ms`);
    return { id, network: model.network.name, image: image.fsPath, top, ep: result.ep.ran, cached: result.session.cached, workerPid: this.engine.workerPid, totalMs };
  }

  private async runFolder(folder: vscode.Uri, document: vscode.TextDocument, networkName: string | undefined): Promise<EvalOutcome | undefined> {
    if (folder.scheme !== 'file') {
      void vscode.window.showErrorMessage(`ResNet Studio: ${folder.toString()} is not a folder on this machine.`);
      return undefined;
    }
    const model = await this.prepare(document, networkName);
    if (!model) return undefined;
    const classes = model.network.outputShape?.[1];
    if (classes === undefined || model.network.outputShape?.length !== 2) {
      void vscode.window.showErrorMessage(`ResNet Studio: network ${model.network.name} does not end in class scores [1, classes]; folder evaluation needs a classifier.`);
      return undefined;
    }
    const dataset = await listDataset(folder.fsPath, classes);
    if (typeof dataset === 'string') {
      void vscode.window.showErrorMessage(`ResNet Studio: ${dataset}`);
      return undefined;
    }
    this.remember({ kind: 'folder', target: folder.toString(), model: document.uri.toString(), network: model.network.name });
    return this.evaluateDataset(folder, dataset, model);
  }

  private async evaluateDataset(folder: vscode.Uri, dataset: Dataset, model: ModelChoice): Promise<EvalOutcome> {
    const classes = model.network.outputShape![1]!;
    const names = (i: number) => dataset.classNames?.[i] ?? labelOf(model.labels, i);
    const folderLabel = vscode.workspace.asRelativePath(folder);
    const total = dataset.samples.length;
    const controller = new AbortController();
    const view: EvalRunView = {
      kind: 'eval',
      id: this.panel.newId('eval'),
      startedAt: new Date().toISOString(),
      network: model.network.name,
      modelFile: vscode.workspace.asRelativePath(model.document.uri),
      folder: folderLabel,
      state: 'running',
      progress: { done: 0, total, imagesPerSecond: 0 },
    };
    let failure: unknown;
    const record = { view, json: () => JSON.stringify(view, null, 2), cancel: () => controller.abort() };
    void this.panel.show(record);
    const run = await withCancellableProgress(
      `Evaluating ${model.network.name} on ${folderLabel}`,
      (signal, progress) =>
        runInBatches(
          dataset.samples,
          async (paths) => {
            try {
              return await this.engine.infer(this.request(model, paths, false), signal);
            } catch (error) {
              failure = error;
              return undefined;
            }
          },
          (done, seconds) => {
            const rate = seconds > 0 ? done / seconds : 0;
            view.progress = { done, total, imagesPerSecond: rate };
            this.panel.progress(view.id, done, total, rate);
            progress.report(`${done}/${total} images, ${rate.toFixed(1)} images/s`, done / total);
          },
        ),
      { controller, delayMs: 0 },
    );
    if (!run) {
      const cancelled = failure instanceof InferenceError && failure.kind === 'cancelled';
      view.state = cancelled ? 'cancelled' : 'failed';
      if (!cancelled) view.error = failure instanceof Error ? failure.message : String(failure);
      this.reportFailure(failure, model);
      await this.panel.show({ ...record, cancel: undefined });
      return { id: view.id, state: view.state, total: 0, correct: 0, accuracy: null, imagesPerSecond: 0, ep: undefined };
    }
    this.statusBar.ran(run.first.ep);
    this.logResult(`${model.network.name} on ${folderLabel}`, run.first);
    const report = evaluate(dataset.samples, run.outputs, classes, names, run.seconds);
    const mistakes = confidentMistakes(dataset.samples, run.outputs, MISTAKES_SHOWN);
    view.state = 'done';
    view.ep = run.first.ep;
    view.progress = { done: total, total, imagesPerSecond: report.total / report.seconds };
    view.summary = {
      ...reportFigures(report),
      mistakes: mistakes.map((m) => ({
        image: vscode.workspace.asRelativePath(m.image),
        imageSrc: this.panel.asWebviewUri(vscode.Uri.file(m.image)),
        target: names(m.target),
        predicted: names(m.predicted),
        confidence: m.confidence,
      })),
    };
    this.log.info(
      `${model.network.name} on ${folderLabel}: accuracy ${view.summary.accuracy === null ? 'n/a' : (view.summary.accuracy * 100).toFixed(2) + '%'} ` +
        `(${report.correct}/${report.total}), ${view.summary.imagesPerSecond.toFixed(1)} images/s`,
    );
    await this.panel.show({
      view,
      json: () => evaluationJson({ network: model.network.name, folder: folderLabel, report, ep: run.first.ep }),
      csv: () => evaluationCsv(dataset.samples, run.outputs, names),
    });
    return { id: view.id, state: 'done', total: report.total, correct: report.correct, accuracy: view.summary.accuracy, imagesPerSecond: view.summary.imagesPerSecond, ep: run.first.ep.ran };
  }
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}

export function registerInference(context: vscode.ExtensionContext): void {
  const controller = new InferenceController(context);
  const register = (id: string, handler: (...args: never[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, handler));
  register(COMMANDS.runInference, (target?: vscode.Uri | string, network?: string) => controller.runInference(target, typeof network === 'string' ? network : undefined));
  register(COMMANDS.runInferenceOnImage, (image?: vscode.Uri) => controller.runInference(image instanceof vscode.Uri ? image : undefined));
  register(COMMANDS.evaluateFolder, (folder?: vscode.Uri, model?: vscode.Uri | string, network?: string) =>
    controller.evaluateFolder(folder instanceof vscode.Uri ? folder : undefined, model, typeof network === 'string' ? network : undefined),
  );
  register(COMMANDS.runAgain, () => controller.runAgain());
  register(COMMANDS.chooseWeights, (model: vscode.Uri | string, network: string) => controller.chooseWeights(model, network));
  register(COMMANDS.stopWorker, () => controller.stopWorker());
  register(COMMANDS.showLog, () => controller.showLog());
}
