// Inference from VS Code: the commands (run on an image, evaluate a folder, run again, choose
// weights, stop the worker), the results view, the execution-provider status bar item and the
// runtime log. `registerInference` is the one call extension/main.ts makes. Nothing here loads
// native code: onnxruntime and sharp live in the worker process that InferenceEngine starts lazily.
import * as vscode from 'vscode';
import { InferenceError } from '../engine/runtime/client';
import { runInBatches } from '../engine/runtime/dataset';
import { evaluationResult, inferenceResult } from '../engine/runtime/inference-result';
import { formatEpReport } from '../engine/runtime/providers';
import { inferRequest, isModelProblem, loadEvaluation, type EvaluationInput } from '../engine/runtime/runnable-model';
import { className, type ClassScore } from '../contracts/inference-result';
import type { InferResult } from '../contracts/worker';
import { InferenceEngine, type EngineRequest } from './inference-engine';
import { loadDocumentModel, writeWeightsDeclaration, type DocumentModel, type DocumentProblem } from './inference-model';
import { pickClip, pickImage, pickModel } from './inference-pickers';
import { withCancellableProgress } from './inference-progress';
import { epFallbackNote, evaluationCsv } from './results-format';
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

/** What "Run again" repeats, remembered per workspace. */
type LastRun = { kind: 'image' | 'folder'; target: string; model: string; network: string };

/** What the commands return: enough for a caller (or a test) to know what was shown. */
export interface ImageRunOutcome {
  id: string;
  network: string;
  /** The image's path on the machine the extension runs on. */
  image: string;
  top: ClassScore[];
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
      // A network whose input is C×T×H×W runs on a clip.
      const image = model && (model.network.input?.length === 4 ? await pickClip() : await pickImage());
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
    // Loading the model reads the labels file, which may be anywhere: like every path a model names, only in a trusted workspace.
    if (!this.trusted()) return false;
    const document = await vscode.workspace.openTextDocument(typeof modelUri === 'string' ? vscode.Uri.parse(modelUri) : modelUri);
    const loaded = await loadDocumentModel(document, networkName);
    const network = loaded && 'network' in loaded ? loaded.network : undefined;
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

  private async prepare(document: vscode.TextDocument, networkName: string | undefined): Promise<DocumentModel | undefined> {
    const model = await loadDocumentModel(document, networkName);
    if (!model) return undefined;
    if (isModelProblem(model)) {
      this.reportProblem(model);
      return undefined;
    }
    for (const warning of model.warnings) this.log.warn(`${model.name}: ${warning}`);
    return model;
  }

  private reportProblem(problem: DocumentProblem): void {
    const message = `${vscode.workspace.asRelativePath(problem.document.uri)}: ${problem.message}`;
    this.log.warn(message);
    if (problem.kind === 'no-weights' || problem.kind === 'weights') {
      const network = problem.network;
      void vscode.window
        .showErrorMessage(`ResNet Studio: ${message}. Choose a .safetensors file to declare it in the network.`, ERROR_ACTIONS.chooseWeights)
        .then((action) => action && vscode.commands.executeCommand(COMMANDS.chooseWeights, problem.document.uri, network.name));
    } else if (problem.kind === 'errors') {
      void vscode.window
        .showErrorMessage(`ResNet Studio: ${message}.`, 'Show Problems')
        .then((action) => action && vscode.commands.executeCommand('workbench.actions.view.problems'));
    } else {
      void vscode.window.showErrorMessage(`ResNet Studio: ${message}.`);
    }
  }

  private reportFailure(error: unknown, model: DocumentModel): void {
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

  private request(model: DocumentModel, paths: string[], includeSeenImage: boolean): EngineRequest {
    const { ep, threads, sessionCacheSize } = inferenceSettings();
    return inferRequest(model, paths, { ep, includeSeenImage, threads, sessionCacheSize });
  }

  private logResult(what: string, result: InferResult): void {
    const s = result.session;
    this.log.info(
      `${what}: ${formatEpReport(result.ep).join('; ')}; ` +
        (s.cached ? 'session cached' : `weights ${s.weightsMs.toFixed(1)} ms, compile ${s.compileMs.toFixed(1)} ms, session ${s.sessionMs.toFixed(1)} ms`),
    );
  }

  private async runImage(image: vscode.Uri, model: DocumentModel): Promise<ImageRunOutcome | undefined> {
    const started = performance.now();
    if (image.scheme !== 'file') {
      void vscode.window.showErrorMessage(`ResNet Studio: ${image.toString()} is not a file on this machine.`);
      return undefined;
    }
    this.remember({ kind: 'image', target: image.toString(), model: model.document.uri.toString(), network: model.network.name });
    const imageLabel = vscode.workspace.asRelativePath(image);
    let run: InferResult;
    try {
      run = await withCancellableProgress(`Running ${model.network.name} on ${imageLabel}`, (signal) =>
        this.engine.infer(this.request(model, [image.fsPath], true), signal),
      );
    } catch (error) {
      this.reportFailure(error, model);
      return undefined;
    }
    this.statusBar.ran(run.ep);
    this.logResult(`${model.network.name} on ${imageLabel}`, run);
    const result = inferenceResult(model, run, { top: inferenceSettings().topK, imageName: relativePath });
    const seen = run.results[0]!.seen;
    const image0 = result.results[0]!;
    const id = this.panel.newId('image');
    const view: ImageRunView = {
      kind: 'image',
      id,
      startedAt: new Date().toISOString(),
      result,
      ...(model.network.input?.length === 4 ? {} : { imageSrc: this.panel.asWebviewUri(image) }),
      ...(seen ? { seen: { width: seen.width, height: seen.height, channels: seen.channels, base64: Buffer.from(seen.pixels.buffer, seen.pixels.byteOffset, seen.pixels.byteLength).toString('base64') } } : {}),
      totalMs: performance.now() - started,
    };
    if (image0.error) {
      this.log.error(image0.error);
      void vscode.window.showErrorMessage(`ResNet Studio: ${image0.error}`);
    }
    const note = epFallbackNote(run.ep);
    if (note) this.log.info(`execution provider: ${note}`);
    await this.panel.show({ view });
    const totalMs = performance.now() - started;
    const top = image0.top ?? [];
    const best = top[0] ? `${className(top[0].label, top[0].index)} ${(top[0].probability * 100).toFixed(2)}%` : 'no result';
    this.log.info(`${model.network.name} on ${imageLabel}: ${best}; command to rendered result ${totalMs.toFixed(1)} ms`);
    return { id, network: model.network.name, image: image.fsPath, top, ep: run.ep.ran, cached: run.session.cached, workerPid: this.engine.workerPid, totalMs };
  }

  private async runFolder(folder: vscode.Uri, document: vscode.TextDocument, networkName: string | undefined): Promise<EvalOutcome | undefined> {
    if (folder.scheme !== 'file') {
      void vscode.window.showErrorMessage(`ResNet Studio: ${folder.toString()} is not a folder on this machine.`);
      return undefined;
    }
    const model = await this.prepare(document, networkName);
    if (!model) return undefined;
    const input = await loadEvaluation(model, folder.fsPath);
    if (typeof input === 'string') {
      void vscode.window.showErrorMessage(`ResNet Studio: ${input}`);
      return undefined;
    }
    this.remember({ kind: 'folder', target: folder.toString(), model: document.uri.toString(), network: model.network.name });
    return this.evaluateDataset(folder, input, model);
  }

  private async evaluateDataset(folder: vscode.Uri, input: EvaluationInput, model: DocumentModel): Promise<EvalOutcome> {
    const { samples } = input.dataset;
    const folderLabel = relativePath(folder.fsPath);
    const total = samples.length;
    const controller = new AbortController();
    const view: EvalRunView = {
      kind: 'eval',
      id: this.panel.newId('eval'),
      startedAt: new Date().toISOString(),
      network: model.network.name,
      model: model.name,
      folder: folderLabel,
      state: 'running',
      progress: { done: 0, total, imagesPerSecond: 0 },
    };
    let failure: unknown;
    const record = { view, cancel: () => controller.abort() };
    void this.panel.show(record);
    const run = await withCancellableProgress(
      `Evaluating ${model.network.name} on ${folderLabel}`,
      (signal, progress) =>
        runInBatches(
          samples,
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
      await this.panel.show({ view });
      return { id: view.id, state: view.state, total: 0, correct: 0, accuracy: null, imagesPerSecond: 0, ep: undefined };
    }
    this.statusBar.ran(run.first.ep);
    this.logResult(`${model.network.name} on ${folderLabel}`, run.first);
    // The result names images workspace-relative; the view shows the mistakes from their files.
    const paths = new Map<string, string>();
    const imageName = (path: string) => {
      const name = relativePath(path);
      paths.set(name, path);
      return name;
    };
    const result = evaluationResult(model, input, run, { folder: folderLabel, imageName });
    view.state = 'done';
    view.result = result;
    view.mistakeSrcs = result.mistakes.map((m) => this.panel.asWebviewUri(vscode.Uri.file(paths.get(m.image)!)));
    view.progress = { done: total, total, imagesPerSecond: result.imagesPerSecond };
    this.log.info(
      `${model.network.name} on ${folderLabel}: accuracy ${result.accuracy === null ? 'n/a' : (result.accuracy * 100).toFixed(2) + '%'} ` +
        `(${result.correct}/${result.total}), ${result.imagesPerSecond.toFixed(1)} images/s`,
    );
    await this.panel.show({ view, csv: () => evaluationCsv(samples, run.outputs, input.className) });
    return { id: view.id, state: 'done', total: result.total, correct: result.correct, accuracy: result.accuracy, imagesPerSecond: result.imagesPerSecond, ep: run.first.ep.ran };
  }
}

/** How results name files: workspace-relative (absolute outside the workspace). */
function relativePath(path: string): string {
  return vscode.workspace.asRelativePath(path);
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
