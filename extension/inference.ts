// Inference from VS Code: the commands (run on an image, evaluate a folder, run again, choose
// weights, stop the worker), the results view, the execution-provider status bar item and the
// runtime log. `registerInference` is the one call extension/main.ts makes. Nothing here loads
// native code: onnxruntime and sharp live in the worker process that InferenceEngine starts lazily.
import * as vscode from 'vscode';
import { InferenceError } from '../engine/runtime/client';
import { EVAL_BATCH, runInBatches } from '../engine/runtime/dataset';
import { evaluationResult, inferenceResult } from '../engine/runtime/inference-result';
import { formatEpReport } from '../engine/runtime/providers';
import { inferRequest, isModelProblem, loadEvaluation, type EvaluationInput } from '../engine/runtime/runnable-model';
import { className, type ClassScore } from '../contracts/inference-result';
import type { HostMessage as PreviewMessage } from '../contracts/preview';
import type { InferResult, Precision, WeightsRequest } from '../contracts/worker';
import { DEFAULT_SEED } from '../engine/onnx/random-weights';
import { trueClass } from '../engine/runtime/true-class';
import { classMapsView, pixelsView, topOverlay } from './class-map-view';
import { InferenceEngine, type EngineRequest } from './inference-engine';
import { ERROR_ACTIONS, FailureReporter } from './inference-failures';
import { loadDocumentModel, writeWeightsDeclaration, type DocumentModel } from './inference-model';
import { pickClip, pickImage, pickModel } from './inference-pickers';
import { withCancellableProgress } from './inference-progress';
import { epFallbackNote, evaluationCsv } from './results-format';
import { ResultsPanel } from './results-panel';
import { inferenceSettings } from './settings';
import { EpStatusBar } from './status-bar';
import type { EvalRunView, ImageRunView } from '../contracts/results';

export const COMMANDS = {
  runInference: 'resnetStudio.runInference',
  runInferenceOnImage: 'resnetStudio.runInferenceOnImage',
  evaluateFolder: 'resnetStudio.evaluateFolder',
  runAgain: 'resnetStudio.runAgain',
  profileLast: 'resnetStudio.profileLayers',
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
  /** fp32 for the compiled network, else the exported model's (resnetStudio.inference.model). */
  precision: Precision;
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

class InferenceController {
  private readonly log = vscode.window.createOutputChannel('ResNet Studio Inference', { log: true });
  private readonly engine: InferenceEngine;
  private readonly panel: ResultsPanel;
  private readonly failures: FailureReporter;
  private readonly statusBar = new EpStatusBar();
  /** The newest image run, which "Time Layers" profiles. */
  private lastImage: { view: ImageRunView; image: vscode.Uri; model: DocumentModel } | undefined;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly postToPreview: (message: PreviewMessage) => void,
  ) {
    this.engine = new InferenceEngine(vscode.Uri.joinPath(context.extensionUri, 'dist', 'worker.js').fsPath, this.log, () => inferenceSettings().idleShutdownSeconds);
    this.panel = new ResultsPanel(context.extensionUri, this.log, () => void vscode.commands.executeCommand(COMMANDS.runAgain));
    this.failures = new FailureReporter(this.log, this.panel, {
      chooseWeights: (document, network) => void vscode.commands.executeCommand(COMMANDS.chooseWeights, document.uri, network),
      dryRun: (document, network) => void this.dryRun(document, network),
      showLog: () => this.showLog(),
    });
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
      const image = model && (await this.pickInputAndPrepare(model));
      return image && model && this.runImage(image, model);
    }
    if (uri) {
      const document = await pickModel();
      const model = document && (await this.prepare(document, networkName));
      return model && this.runImage(uri, model);
    }
    // From the palette: the network first (a pick when ambiguous, its weights checked), then the image.
    const document = await pickModel();
    const model = document && (await this.prepare(document, networkName));
    const image = model && (await this.pickInputAndPrepare(model));
    return image && model && this.runImage(image, model);
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

  private async prepare(document: vscode.TextDocument, networkName: string | undefined, weights?: WeightsRequest): Promise<DocumentModel | undefined> {
    const model = await loadDocumentModel(document, networkName, { weights });
    if (!model) return undefined;
    if (isModelProblem(model)) {
      this.failures.reportProblem(model);
      return undefined;
    }
    for (const warning of model.warnings) this.log.warn(`${model.name}: ${warning}`);
    return model;
  }

  /** The network with seeded random weights, on an image the user picks: shapes and timings without trained weights. */
  private async dryRun(document: vscode.TextDocument, network: string): Promise<ImageRunOutcome | undefined> {
    const model = await this.prepare(document, network, { kind: 'random', seed: DEFAULT_SEED });
    const image = model && (await this.pickInputAndPrepare(model));
    return image && model && this.runImage(image, model);
  }

  private request(model: DocumentModel, paths: string[], includeSeenImage: boolean, extras: Pick<EngineRequest, 'cam' | 'profile'> = {}): EngineRequest {
    const { ep, threads, sessionCacheSize } = inferenceSettings();
    return inferRequest(model, paths, { ep, includeSeenImage, threads, sessionCacheSize, ...extras });
  }

  /** A single-image run: its class maps, and the image as the network saw it. */
  private imageRequest(model: DocumentModel, paths: string[]): EngineRequest {
    const { topK, occlusionMaps } = inferenceSettings();
    return this.request(model, paths, true, { cam: { classes: topK, occlusion: occlusionMaps } });
  }

  /** The input the user picks, while the worker builds the session that runs it. */
  private pickInputAndPrepare(model: DocumentModel): Promise<vscode.Uri | undefined> {
    this.engine.prepare(this.imageRequest(model, []));
    return pickInput(model);
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
    const { topK } = inferenceSettings();
    try {
      run = await withCancellableProgress(`Running ${model.network.name} on ${imageLabel}`, (signal) => this.engine.infer(this.imageRequest(model, [image.fsPath]), signal));
    } catch (error) {
      this.failures.reportFailure(error, model);
      return undefined;
    }
    this.statusBar.ran(run.ep);
    this.logResult(`${model.network.name} on ${imageLabel}`, run);
    // The maps go to the view as heat maps; the result stays what `infer --json` prints, which Copy JSON copies.
    const withoutMaps = { ...run, results: run.results.map(({ cam: _maps, ...output }) => output) };
    const result = inferenceResult(model, withoutMaps, { top: topK, imageName: relativePath });
    const output = run.results[0]!;
    const seen = output.seen;
    const image0 = result.results[0]!;
    const id = this.panel.newId('image');
    const name = (index: number) => className(model.labels?.[index] ?? null, index);
    const classes = model.network.outputShape?.[1] ?? 0;
    const truth = trueClass(image.fsPath, classes, model.labels);
    const view: ImageRunView = {
      kind: 'image',
      id,
      startedAt: new Date().toISOString(),
      result,
      ...(model.network.input?.length === 4 ? {} : { imageSrc: this.panel.asWebviewUri(image) }),
      ...(seen ? { seen: pixelsView(seen) } : {}),
      ...(seen && output.cam ? { maps: classMapsView(output.cam, seen, name) } : {}),
      ...(output.logits && !output.cam
        ? { mapsNote: `No class map: the head of ${model.network.name} is not global average pooling followed by a linear layer. Turn on the setting "Occlusion Maps" (ResNet Studio › Inference) to compute occlusion sensitivity instead (49 extra runs).` }
        : {}),
      ...(truth ? { trueClass: { index: truth.index, name: name(truth.index), from: truth.from } } : {}),
      totalMs: 0,
    };
    if (image0.error) {
      this.log.error(image0.error);
      void vscode.window.showErrorMessage(`ResNet Studio: ${image0.error}`);
    }
    const note = epFallbackNote(run.ep);
    if (note) this.log.info(`execution provider: ${note}`);
    view.totalMs = performance.now() - started;
    this.lastImage = { view, image, model };
    await this.panel.show({
      view,
      profile: () => void this.profileImage(view, image, model),
      openImage: () => void vscode.commands.executeCommand('vscode.open', image, { viewColumn: vscode.ViewColumn.Active }),
    });
    const totalMs = performance.now() - started;
    const top = image0.top ?? [];
    const best = top[0] ? `${className(top[0].label, top[0].index)} ${(top[0].probability * 100).toFixed(2)}%` : 'no result';
    this.log.info(`${model.network.name} on ${imageLabel}: ${best}; command to rendered result ${totalMs.toFixed(1)} ms`);
    return { id, network: model.network.name, image: image.fsPath, top, ep: run.ep.ran, precision: run.precision, cached: run.session.cached, workerPid: this.engine.workerPid, totalMs };
  }

  /** "Time Layers": the newest image run, profiled. */
  async profileLast(): Promise<ImageRunView['result'] | undefined> {
    const last = this.lastImage;
    if (!last) {
      void vscode.window.showInformationMessage('ResNet Studio: run the network on an image first; then its layers can be timed.');
      return undefined;
    }
    return this.profileImage(last.view, last.image, last.model);
  }

  /** Times each layer of an image run (a profiled session of its own), shows the table in its card and colours the open preview. */
  async profileImage(view: ImageRunView, image: vscode.Uri, model: DocumentModel): Promise<ImageRunView['result'] | undefined> {
    if (view.profiling) return undefined;
    const record = this.panel.record(view.id);
    if (!record) return undefined;
    view.profiling = true;
    void this.panel.show(record);
    try {
      const run = await withCancellableProgress(`Timing the layers of ${model.network.name}`, (signal) => this.engine.infer(this.request(model, [image.fsPath], false, { profile: true }), signal));
      const profiled = inferenceResult(model, run, { top: inferenceSettings().topK, imageName: relativePath }).results[0]!;
      const image0 = view.result.results[0]!;
      if (profiled.profile) {
        image0.profile = profiled.profile;
        image0.profileOtherMs = profiled.profileOtherMs;
        view.profileRunMs = profiled.timings.runMs;
        this.postToPreview({ type: 'layerTimes', network: model.network.name, times: profiled.profile.map(({ name, ms }) => ({ name, ms })) });
      }
      return view.result;
    } catch (error) {
      this.failures.reportFailure(error, model);
      return undefined;
    } finally {
      view.profiling = false;
      await this.panel.show(record);
    }
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

  /** Where the network looked for its (wrong) answer on each of an evaluation's surest mistakes: a run of those images with class maps. */
  private async showMistakeMaps(record: { view: EvalRunView }, model: DocumentModel, paths: string[]): Promise<void> {
    if (paths.length === 0) return;
    try {
      const maps = await this.engine.infer(this.request(model, paths, true, { cam: { classes: 1, occlusion: inferenceSettings().occlusionMaps } }));
      record.view.mistakeMaps = maps.results.map(topOverlay);
      if (record.view.mistakeMaps.some((m) => m)) await this.panel.show(record);
    } catch (error) {
      this.log.warn(`class maps of the mistakes: ${(error as Error).message}`);
    }
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
      ...(input.dataset.kind === 'clip' ? { clips: true as const } : {}),
    };
    let failure: unknown;
    const running = { view, cancel: () => controller.abort() };
    void this.panel.show(running);
    const run = await withCancellableProgress(
      `Evaluating ${model.network.name} on ${folderLabel}`,
      (signal, progress) =>
        runInBatches(
          samples,
          async (paths, onResults) => {
            try {
              return await this.engine.infer({ ...this.request(model, paths, false), batch: EVAL_BATCH }, signal, onResults);
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
      this.failures.reportFailure(failure, model);
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
    // A clip shows as a picture only when it is an animation; a folder of frames or a video has its name.
    const pictured = (path: string) => input.dataset.kind === 'image' || /\.(gif|webp)$/i.test(path);
    view.mistakeSrcs = result.mistakes.map((m) => (pictured(m.image) ? this.panel.asWebviewUri(vscode.Uri.file(paths.get(m.image)!)) : ''));
    view.progress = { done: total, total, imagesPerSecond: result.imagesPerSecond };
    this.log.info(
      `${model.network.name} on ${folderLabel}: accuracy ${result.accuracy === null ? 'n/a' : (result.accuracy * 100).toFixed(2) + '%'} ` +
        `(${result.correct}/${result.total}), ${result.imagesPerSecond.toFixed(1)} images/s`,
    );
    const mistakePaths = result.mistakes.map((m) => paths.get(m.image)!);
    const record = {
      view,
      csv: () => evaluationCsv(samples, run.outputs, input.className),
      openImage: (index: number) => {
        const path = mistakePaths[index];
        if (path) void vscode.commands.executeCommand('vscode.open', vscode.Uri.file(path), { viewColumn: vscode.ViewColumn.Active });
      },
    };
    await this.panel.show(record);
    await this.showMistakeMaps(record, model, mistakePaths);
    return { id: view.id, state: 'done', total: result.total, correct: result.correct, accuracy: result.accuracy, imagesPerSecond: result.imagesPerSecond, ep: run.first.ep.ran };
  }
}

/** What the network runs on: a clip when its input is C×T×H×W, else an image. */
function pickInput(model: DocumentModel): Promise<vscode.Uri | undefined> {
  return model.network.input?.length === 4 ? pickClip() : pickImage();
}

/** How results name files: workspace-relative (absolute outside the workspace). */
function relativePath(path: string): string {
  return vscode.workspace.asRelativePath(path);
}

/** `postToPreview` sends a message to the open preview, if any (the layer times of a profiled run). */
export function registerInference(context: vscode.ExtensionContext, postToPreview: (message: PreviewMessage) => void): void {
  const controller = new InferenceController(context, postToPreview);
  const register = (id: string, handler: (...args: never[]) => unknown) => context.subscriptions.push(vscode.commands.registerCommand(id, handler));
  register(COMMANDS.runInference, (target?: vscode.Uri | string, network?: string) => controller.runInference(target, typeof network === 'string' ? network : undefined));
  register(COMMANDS.runInferenceOnImage, (image?: vscode.Uri) => controller.runInference(image instanceof vscode.Uri ? image : undefined));
  register(COMMANDS.evaluateFolder, (folder?: vscode.Uri, model?: vscode.Uri | string, network?: string) =>
    controller.evaluateFolder(folder instanceof vscode.Uri ? folder : undefined, model, typeof network === 'string' ? network : undefined),
  );
  register(COMMANDS.runAgain, () => controller.runAgain());
  register(COMMANDS.profileLast, () => controller.profileLast());
  register(COMMANDS.chooseWeights, (model: vscode.Uri | string, network: string) => controller.chooseWeights(model, network));
  register(COMMANDS.stopWorker, () => controller.stopWorker());
  register(COMMANDS.showLog, () => controller.showLog());
}
