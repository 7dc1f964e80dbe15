// The inference settings (`resnetStudio.*`), read fresh on each use so a change applies to the next run.
import * as vscode from 'vscode';
import { isEpChoice, type EpChoice } from '../engine/runtime/providers';

export const SECTION = 'resnetStudio';
export const EP_SETTING = 'executionProvider';

export interface InferenceSettings {
  ep: EpChoice;
  topK: number;
  /** onnxruntime intra-op threads; 0 lets onnxruntime choose. */
  threads: number;
  /** Compiled sessions the worker keeps; 0 turns the cache off. */
  sessionCacheSize: number;
  /** Seconds an idle worker stays up before it is shut down. */
  idleShutdownSeconds: number;
  /** An exported ONNX model to run instead of compiling the network (`resnet-studio export`); '' compiles it. */
  model: string;
  /** Occlusion maps (49 extra runs) for heads without a class activation map. */
  occlusionMaps: boolean;
}

function integer(value: unknown, fallback: number, min: number, max: number): number {
  return typeof value === 'number' && Number.isInteger(value) ? Math.min(max, Math.max(min, value)) : fallback;
}

export function inferenceSettings(): InferenceSettings {
  const config = vscode.workspace.getConfiguration(SECTION);
  const ep = config.get<unknown>(EP_SETTING);
  return {
    ep: typeof ep === 'string' && isEpChoice(ep) ? ep : 'auto',
    topK: integer(config.get('inference.topK'), 5, 1, 1000),
    threads: integer(config.get('inference.threads'), 0, 0, 256),
    sessionCacheSize: integer(config.get('inference.sessionCacheSize'), 2, 0, 16),
    idleShutdownSeconds: integer(config.get('inference.idleShutdownSeconds'), 300, 5, 86_400),
    model: String(config.get('inference.model') ?? '').trim(),
    occlusionMaps: config.get('inference.occlusionMaps') === true,
  };
}

export async function setExecutionProvider(ep: EpChoice): Promise<void> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const inspected = config.inspect(EP_SETTING);
  // Change it where the user set it; a first choice goes to the user settings.
  const target = inspected?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
  await config.update(EP_SETTING, ep, target);
}
