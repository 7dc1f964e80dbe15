// A training event in words: the CLI's text output and the editor's training log print the same lines.
import type { PythonEnv } from './python-env';
import type { TrainEvent } from './train-runner';

export const percent = (x: number) => `${(x * 100).toFixed(2)}%`;
export const clock = (seconds: number) => {
  const s = Math.round(seconds);
  const [h, m] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60)];
  return `${h > 0 ? `${h}:${String(m).padStart(2, '0')}` : m}:${String(s % 60).padStart(2, '0')}`;
};

/** The text line(s) of an event, or undefined for none. */
export function describeTrainEvent(event: TrainEvent, network: string): string | undefined {
  switch (event.event) {
    case 'start': {
      const lines = [
        `${network}: training on ${event.device}, ${event.processes} process${event.processes > 1 ? 'es' : ''} × ${event.threads} threads; ` +
          `${event.trainImages.toLocaleString('en-US')} training images, ${event.valImages.toLocaleString('en-US')} validation, ${event.classes} classes; ` +
          `${event.stepsPerEpoch} steps per epoch, ${event.epochs} epoch${event.epochs > 1 ? 's' : ''}`,
      ];
      const init = event.init;
      if (event.resumed) lines.push(`resumed from ${init.source} in epoch ${event.resumed.epoch} after ${event.resumed.samplesDone} images`);
      else if (init.source) lines.push(`weights: ${init.source}, ${init.loaded} of ${init.total} tensors loaded`);
      for (const skipped of init.skipped ?? []) if (!event.head || !skipped.key.startsWith(`${event.head.layer}.`)) lines.push(`warning: ${skipped.key} not loaded: missing or another shape in the file`);
      if (init.unused?.length) lines.push(`warning: ${init.unused.length} tensor(s) of the file fit no layer: ${init.unused.slice(0, 5).join(', ')}${init.unused.length > 5 ? ', …' : ''}`);
      if (event.head) {
        lines.push(`new head ${event.head.layer}: ${event.head.from} → ${event.head.to} classes (the weights fit the network once its ${event.head.layer} has ${event.head.to} outputs)`);
      }
      if (event.frozen) lines.push(`frozen: ${event.frozen} parameter tensors`);
      return lines.join('\n');
    }
    case 'step':
      return `  epoch ${event.epoch} step ${event.step}/${event.steps}  loss ${event.loss.toFixed(4)}  acc ${percent(event.accuracy)}  ${Math.round(event.imagesPerSecond)} img/s  ETA ${clock(event.etaSeconds)}`;
    case 'epoch': {
      const val = event.valAccuracy === undefined ? '' : `, val loss ${event.valLoss!.toFixed(4)} acc ${percent(event.valAccuracy)}${event.best ? ' (best)' : ''}`;
      return `epoch ${event.epoch}/${event.epochs}: train loss ${event.trainLoss.toFixed(4)} acc ${percent(event.trainAccuracy)}${val}, ${event.seconds.toFixed(1)} s, ${Math.round(event.imagesPerSecond)} img/s`;
    }
    case 'stopped':
      return `stopped in epoch ${event.epoch} after step ${event.step}: the last checkpoint is ${event.last} (continue with --resume ${event.last}); log ${event.log}`;
    case 'done': {
      const best = event.best.valAccuracy === null ? `epoch ${event.best.epoch}` : `epoch ${event.best.epoch}, val accuracy ${percent(event.best.valAccuracy)}`;
      return `best (${best}): ${event.out}\nlast: ${event.last}\nlog: ${event.log}`;
    }
    case 'error':
      return undefined;
  }
}


/** Which Python trains, and the ones passed over on the way. */
export function pythonLine(python: PythonEnv): string {
  const passed = python.passedOver.length ? `; passed over ${python.passedOver.join(', ')}` : '';
  return `python: ${python.path} (Python ${python.python}, torch ${python.torch}, torchvision ${python.torchvision})${passed}`;
}
