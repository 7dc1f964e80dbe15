// Training from VS Code: "Train…" (palette, CodeLens) opens the training view with a form for the
// network; Start plans the run (engine/torch/train-plan.ts, the checks the CLI makes) and starts
// PyTorch in its own processes (engine/torch/train-runner.ts), so a crash in Python cannot take down
// the editor; the view follows it live; Stop ends it after the current step and keeps the last
// checkpoint; "Use these weights" writes the network's `weights` line. Trusted workspaces only.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import * as vscode from 'vscode';
import { expectedWeights } from '../engine/onnx/network-walk';
import { isModelProblem } from '../engine/runtime/runnable-model';
import type { PythonEnv } from '../engine/torch/python-env';
import { AUGMENTS, DEVICES, OPTIMIZERS, SCHEDULES, planTraining, type TrainModel } from '../engine/torch/train-plan';
import { startTraining, type TrainEvent, type TrainingRun } from '../engine/torch/train-runner';
import { DEFAULT_BATCH, DEFAULT_EPOCHS, defaultLr, readTrainSettings, type TrainOptionValues } from '../engine/torch/train-settings';
import { describeTrainEvent, pythonLine } from '../engine/torch/train-text';
import { BROWSE_FIELDS, FORM_TEXT_FIELDS, type BrowseField, type FormValues, type FormView, type TrainingRequest, type TrainingRunView } from '../contracts/training';
import { commands } from '../contracts/server';
import type { Network } from '../language/core/model';
import { loadDocumentModel, weightsPath, writeWeightsDeclaration } from './inference-model';
import { pickModel } from './inference-pickers';
import { findEditorPython, pythonLookup, PYTHON_SETTING } from './python-interpreter';
import { SECTION } from './settings';
import { TrainingPanel } from './training-panel';

export const TRAIN_COMMAND = commands.train;
const FORM_VALUES_KEY = 'resnetStudio.trainingForm';
const HISTORY_KEY = 'resnetStudio.trainingRuns';
/** Runs kept in the workspace's state for the next session. */
const SAVED_RUNS = 10;
const HISTORY_LIMIT = 20;
/** Step points kept per run for the charts; beyond it every other one is dropped. */
const MAX_STEP_POINTS = 600;
/** The view is sent at most this often while a run goes. */
const POST_INTERVAL_MS = 250;

interface Target {
  uri: vscode.Uri;
  network: string;
}

interface Run {
  view: TrainingRunView;
  target: Target;
  training?: TrainingRun;
}

const quote = (text: string) => (/^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`);

class TrainingController implements vscode.Disposable {
  private readonly log = vscode.window.createOutputChannel('ResNet Studio Training', { log: true });
  private readonly panel: TrainingPanel;
  private readonly runs: Run[] = [];
  private target: Target | undefined;
  /** Python lookups that found one, per lookup: probing imports torch, which takes seconds. */
  private readonly pythons = new Map<string, Promise<PythonEnv | string>>();
  private nextId = 1;
  /** Set from Start until the run is in the list: a second Start waits its turn. */
  private launching = false;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.panel = new TrainingPanel(context.extensionUri, this.log, () => this.runs.map((r) => r.view), (request) => void this.handle(request));
    // The history of earlier sessions: their runs ended with the window (each stopped after a step).
    for (const saved of context.workspaceState.get<{ view: TrainingRunView; target: { uri: string; network: string } }[]>(HISTORY_KEY) ?? []) {
      const view = ['starting', 'running', 'stopping'].includes(saved.view.state) ? { ...saved.view, state: 'stopped' as const } : saved.view;
      this.runs.push({ view, target: { uri: vscode.Uri.parse(saved.target.uri), network: saved.target.network } });
    }
    context.subscriptions.push(
      this.log,
      this.panel,
      this,
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (!event.affectsConfiguration(`${SECTION}.${PYTHON_SETTING}`)) return;
        this.pythons.clear();
        if (this.target && this.panel.visible) this.showPython(this.target.uri);
      }),
    );
  }

  /** Opens the form for a network: the CodeLens's (file and network), else the active or a picked .resnet file's. */
  async open(target?: vscode.Uri | string, networkName?: string): Promise<FormView | undefined> {
    if (!this.trusted()) return undefined;
    const uri = typeof target === 'string' ? vscode.Uri.parse(target) : target;
    const document = uri ? await vscode.workspace.openTextDocument(uri) : await pickModel('Train');
    if (!document) return undefined;
    const network = (await this.model(document, networkName))?.network;
    if (!network) return undefined;
    this.target = { uri: document.uri, network: network.name };
    const form = this.formView(document, network);
    this.panel.showForm(form);
    this.showPython(document.uri);
    return form;
  }

  /** Starts a run with the form's values, or says in the form why it cannot. */
  async start(values: FormValues): Promise<void> {
    const invalid = (message: string) => this.panel.post({ type: 'invalid', message });
    if (!this.trusted()) return invalid('training runs Python on workspace files: trust the workspace first');
    const target = this.target;
    if (!target) return invalid('open the form from a network ("Train…" on a .resnet file)');
    if (this.launching || this.runs.some((r) => ['starting', 'running', 'stopping'].includes(r.view.state))) {
      return invalid('a run is going: stop it first (one at a time: each takes all the cores or the GPU)');
    }
    this.launching = true;
    try {
      await this.launch(target, values, invalid);
    } finally {
      this.launching = false;
    }
  }

  private async launch(target: Target, values: FormValues, invalid: (message: string) => void): Promise<void> {
    const document = await vscode.workspace.openTextDocument(target.uri);
    const loaded = await this.model(document, target.network);
    if (!loaded) return invalid(`network ${target.network} cannot be loaded: see the message`);
    const { network, labels } = loaded;
    const folder = document.uri.scheme === 'file' ? resolve(document.uri.fsPath, '..') : (vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd());
    const model: TrainModel = { name: vscode.workspace.asRelativePath(document.uri), folder, network, labels };

    const text = (field: (typeof FORM_TEXT_FIELDS)[number]) => values[field]?.trim() || undefined;
    // Paths typed in the form are relative to the .resnet file's folder.
    const path = (field: 'data' | 'val' | 'from' | 'out') => {
      const value = text(field);
      return value === undefined || (field === 'from' && value === 'none') || isAbsolute(value) ? value : resolve(folder, value);
    };
    const data = path('data');
    if (!data) return invalid('choose the folder of training images');
    const device = text('device');
    const options: TrainOptionValues = {
      val: path('val'),
      'val-split': text('val-split'),
      epochs: text('epochs'),
      batch: text('batch'),
      lr: text('lr'),
      optimizer: text('optimizer'),
      schedule: text('schedule'),
      augment: text('augment'),
      from: path('from'),
      freeze: text('freeze') === 'none' ? undefined : text('freeze'),
      out: path('out'),
      device: device === 'auto' ? undefined : device,
      amp: values.amp ?? false,
      seed: text('seed'),
      nproc: text('nproc'),
    };
    const settings = readTrainSettings(data, options);
    if (typeof settings === 'string') return invalid(settings);
    const plan = await planTraining(model, settings);
    if (typeof plan === 'string') return invalid(plan);
    const python = await this.python(document.uri);
    if (typeof python === 'string') {
      this.panel.showPython(python, false);
      return invalid(python);
    }
    void this.context.workspaceState.update(FORM_VALUES_KEY, { ...this.savedForms(), [this.formKey(target)]: values });

    const id = `train-${this.nextId++}-${randomBytes(3).toString('hex')}`;
    const command = ['resnet-studio', 'train', model.name, data, ...Object.entries(options).flatMap(([name, value]) => (value === undefined || value === false ? [] : value === true ? [`--${name}`] : [`--${name}`, String(value)]))];
    const view: TrainingRunView = {
      id,
      network: network.name,
      file: model.name,
      startedAt: new Date().toISOString(),
      state: 'starting',
      command: command.map(quote).join(' '),
      notes: [pythonLine(python), ...plan.notes],
      epochs: settings.epochs,
      steps: [],
      epochRecords: [],
      out: plan.paths.out,
    };
    this.log.info(`${view.command}\n${view.notes.join('\n')}`);
    const run: Run = { view, target };
    this.runs.unshift(run);
    this.runs.splice(HISTORY_LIMIT);
    this.send(run, true);
    this.saveHistory();

    const onEvent = (event: TrainEvent) => {
      const line = describeTrainEvent(event, network.name);
      if (line) this.log.info(line);
      this.update(run, event);
    };
    try {
      run.training = await startTraining(plan, model, python, settings, onEvent, (output) => this.log.info(output.trimEnd()));
    } catch (error) {
      view.state = 'failed';
      view.error = (error as Error)?.message ?? String(error);
      this.send(run, true);
      this.saveHistory();
      return;
    }
    void run.training.finished.then((outcome) => {
      if (outcome.status === 'failed') {
        view.state = 'failed';
        view.error = outcome.message;
        this.log.error(outcome.message);
        void vscode.window.showErrorMessage(`ResNet Studio: training ${network.name} failed: ${outcome.message.split('\n')[0]}`, 'Show log').then((action) => action && this.log.show(true));
      } else {
        view.state = outcome.status;
      }
      this.send(run, true);
      this.saveHistory();
    });
  }

  stop(id: string): boolean {
    const run = this.runs.find((r) => r.view.id === id);
    if (!run?.training || !['starting', 'running'].includes(run.view.state)) return false;
    run.training.stop();
    run.view.state = 'stopping';
    this.log.info(`${run.view.network}: stopping after this step (the last checkpoint is kept)`);
    this.send(run, true);
    return true;
  }

  /** Writes the run's best weights into its network's `weights` line (an edit left unsaved, in view). */
  async useWeights(id: string): Promise<boolean> {
    const run = this.runs.find((r) => r.view.id === id);
    if (!run || !['done', 'stopped'].includes(run.view.state)) return false;
    const document = await vscode.workspace.openTextDocument(run.target.uri);
    const network = (await this.model(document, run.target.network))?.network;
    if (!network) return false;
    // A run stopped before its first epoch ended has no best weights yet: its last checkpoint stands in.
    const file = [run.view.out, run.view.last].find((path) => path !== undefined && existsSync(path));
    if (!file) {
      void vscode.window.showErrorMessage(`ResNet Studio: the run wrote no weights (${run.view.out} is missing).`);
      return false;
    }
    const weights = vscode.Uri.file(file);
    if (!(await writeWeightsDeclaration(document, network, weights))) return false;
    run.view.weightsUsed = weightsPath(document, weights);
    this.send(run, true);
    this.saveHistory();
    await vscode.window.showTextDocument(document, vscode.ViewColumn.One);
    const head = run.view.head;
    if (head) {
      void vscode.window.showWarningMessage(
        `ResNet Studio: these weights have a new head: ${head.layer} has ${head.to} outputs in them. Change ${head.layer} to linear(${head.to}) in network ${network.name} for them to load.`,
      );
    }
    return true;
  }

  dispose(): void {
    // Each rank stops after its current step on its own, writing the last checkpoint, even once the editor is gone.
    for (const run of this.runs) if (['starting', 'running'].includes(run.view.state)) run.training?.stop();
  }

  private async handle(request: Exclude<TrainingRequest, { type: 'ready' | 'error' }>): Promise<void> {
    switch (request.type) {
      case 'start':
        await this.start(request.values);
        return;
      case 'stop':
        this.stop(request.id);
        return;
      case 'useWeights':
        await this.useWeights(request.id);
        return;
      case 'openLog': {
        const log = this.runs.find((r) => r.view.id === request.id)?.view.log;
        if (log) await vscode.window.showTextDocument(vscode.Uri.file(log), { viewColumn: vscode.ViewColumn.One });
        return;
      }
      case 'showOutput':
        this.log.show(true);
        return;
      case 'browse':
        await this.browse(request.field);
        return;
    }
  }

  private async browse(field: BrowseField): Promise<void> {
    const folder = this.target ? vscode.Uri.joinPath(this.target.uri, '..') : vscode.workspace.workspaceFolders?.[0]?.uri;
    const kind = BROWSE_FIELDS[field];
    const title = { data: 'Training images', val: 'Validation images', from: 'Starting weights', out: 'Save the best weights as' }[field];
    const picked =
      kind === 'save'
        ? await vscode.window.showSaveDialog({ title, filters: { 'safetensors weights': ['safetensors'] }, ...(folder ? { defaultUri: folder } : {}) })
        : (
            await vscode.window.showOpenDialog({
              title,
              canSelectFolders: kind === 'folder',
              canSelectFiles: kind !== 'folder',
              canSelectMany: false,
              ...(kind === 'open' ? { filters: { 'safetensors weights': ['safetensors'] } } : {}),
              ...(folder ? { defaultUri: folder } : {}),
            })
          )?.[0];
    if (picked) this.panel.post({ type: 'browsed', field, path: picked.fsPath });
  }

  /** Folds an event into the run's view and sends it (steps at most every POST_INTERVAL_MS). */
  private update(run: Run, event: TrainEvent): void {
    const view = run.view;
    switch (event.event) {
      case 'start':
        view.state = view.state === 'stopping' ? 'stopping' : 'running';
        view.device = `${event.device}, ${event.processes} process${event.processes > 1 ? 'es' : ''} × ${event.threads} threads`;
        view.stepsPerEpoch = event.stepsPerEpoch;
        view.head = event.head ?? undefined;
        view.notes.push(...(describeTrainEvent(event, view.network)?.split('\n') ?? []));
        this.send(run, true);
        return;
      case 'step': {
        const { epoch, step, steps, imagesPerSecond, etaSeconds, lr } = event;
        view.progress = { epoch, step, steps, imagesPerSecond, etaSeconds, lr };
        view.steps.push({ x: epoch - 1 + step / steps, loss: event.loss, accuracy: event.accuracy });
        if (view.steps.length > MAX_STEP_POINTS) view.steps = view.steps.filter((_, i) => i % 2 === 1 || i === view.steps.length - 1);
        this.send(run, false);
        return;
      }
      case 'epoch': {
        const { event: _, epochs: __, ...record } = event;
        view.epochRecords.push(record);
        this.send(run, true);
        this.saveHistory();
        return;
      }
      case 'stopped':
        view.last = event.last;
        view.log = event.log;
        return;
      case 'done':
        view.last = event.last;
        view.log = event.log;
        view.out = event.out;
        return;
      case 'error':
        view.error = event.message;
        return;
    }
  }

  private readonly posted = new Map<string, { at: number; timer?: NodeJS.Timeout }>();

  private send(run: Run, now: boolean): void {
    const state = this.posted.get(run.view.id) ?? { at: 0 };
    this.posted.set(run.view.id, state);
    const post = () => {
      state.at = Date.now();
      state.timer = undefined;
      this.panel.post({ type: 'run', run: run.view });
    };
    if (now || Date.now() - state.at >= POST_INTERVAL_MS) {
      clearTimeout(state.timer);
      post();
    } else {
      state.timer ??= setTimeout(post, POST_INTERVAL_MS - (Date.now() - state.at));
    }
  }

  private saveHistory(): void {
    const saved = this.runs.slice(0, SAVED_RUNS).map((r) => ({ view: r.view, target: { uri: r.target.uri.toString(), network: r.target.network } }));
    void this.context.workspaceState.update(HISTORY_KEY, saved);
  }

  /** Tells the form which Python will train, or why none can. */
  private showPython(resource: vscode.Uri): void {
    void this.python(resource).then((python) => this.panel.showPython(typeof python === 'string' ? python : pythonLine(python), typeof python !== 'string'));
  }

  private python(resource: vscode.Uri): Promise<PythonEnv | string> {
    return pythonLookup(resource, this.log).then((lookup) => {
      const key = JSON.stringify(lookup);
      let found = this.pythons.get(key);
      if (!found) {
        found = findEditorPython(resource, this.log);
        this.pythons.set(key, found);
        // Only a Python that works is remembered: one installs torch and tries again.
        void found.then((python) => typeof python === 'string' && this.pythons.delete(key));
      }
      return found;
    });
  }

  /** The network to train, analysed, and its class names (its weights are read by Python, so none are loaded here). */
  private async model(document: vscode.TextDocument, networkName: string | undefined): Promise<{ network: Network; labels?: string[] } | undefined> {
    const model = await loadDocumentModel(document, networkName, { purpose: 'Train', weights: { kind: 'random', seed: 0 } });
    if (!model) return undefined;
    if (isModelProblem(model)) {
      const message = `${vscode.workspace.asRelativePath(document.uri)}: ${model.message}`;
      this.log.warn(message);
      void vscode.window.showErrorMessage(`ResNet Studio: cannot train: ${message}.`);
      return undefined;
    }
    return { network: model.network, labels: model.labels };
  }

  private formKey(target: Target): string {
    return `${target.uri.toString()}#${target.network}`;
  }

  private savedForms(): Record<string, FormValues> {
    return this.context.workspaceState.get<Record<string, FormValues>>(FORM_VALUES_KEY) ?? {};
  }

  private formView(document: vscode.TextDocument, network: Network): FormView {
    const file = vscode.workspace.asRelativePath(document.uri);
    const topLevel = [...new Set([...expectedWeights(network).values()].filter((w) => w.spec.kind === 'parameter').map((w) => w.spec.key.split('.')[0]!))];
    const folder = document.uri.scheme === 'file' ? resolve(document.uri.fsPath, '..') : undefined;
    const weights = network.weights?.path;
    return {
      file,
      network: network.name,
      values: this.savedForms()[this.formKey({ uri: document.uri, network: network.name })] ?? { optimizer: 'sgd', schedule: 'cosine', augment: 'light', device: 'auto', freeze: 'none' },
      placeholders: {
        data: 'a folder: one sub-folder per class, or NNNN_<class>.png files',
        val: 'a folder like Data (optional)',
        'val-split': 'or a fraction of Data, e.g. 0.1',
        epochs: String(DEFAULT_EPOCHS),
        batch: String(DEFAULT_BATCH),
        lr: `${defaultLr('sgd')} (sgd), ${defaultLr('adamw')} (adamw)`,
        from: weights ? `${weights} (the file's weights); none: torchvision's initialisation` : "torchvision's initialisation (no weights line)",
        out: folder ? relative(folder, resolve(folder, `${network.name}.trained.safetensors`)) : `${network.name}.trained.safetensors`,
        seed: '0',
        nproc: '1',
      },
      choices: {
        optimizer: [...OPTIMIZERS],
        schedule: [...SCHEDULES],
        augment: [...AUGMENTS],
        device: ['auto', ...DEVICES],
        freeze: ['none', 'backbone', ...topLevel.slice(0, -1)],
      },
    };
  }

  private trusted(): boolean {
    if (vscode.workspace.isTrusted) return true;
    void vscode.window
      .showWarningMessage('ResNet Studio: this workspace is in Restricted Mode. Training runs Python on files from the workspace, so it is disabled until you trust it.', 'Manage Workspace Trust')
      .then((action) => action && vscode.commands.executeCommand('workbench.trust.manage'));
    return false;
  }
}

export function registerTraining(context: vscode.ExtensionContext): void {
  const controller = new TrainingController(context);
  context.subscriptions.push(
    vscode.commands.registerCommand(TRAIN_COMMAND, (target?: vscode.Uri | string, network?: string) => controller.open(target, typeof network === 'string' ? network : undefined)),
  );
}
