// The training form: the network's `resnet-studio train` options as fields (text left empty takes the
// default its placeholder shows), Browse… for paths, and Start. The host checks the values.
import { el } from '../page';
import { button, checkbox, dropdown, inputField } from '../toolkit';
import type { BrowseField, FormTextField, FormValues, FormView, TrainingRequest } from '../../contracts/training';

type Send = (request: TrainingRequest) => void;

interface Field {
  name: FormTextField;
  label: string;
  wide?: boolean;
}

const TEXT_FIELDS: Field[] = [
  { name: 'data', label: 'Training images (--data)', wide: true },
  { name: 'val', label: 'Validation images (--val)', wide: true },
  { name: 'val-split', label: 'or validation split (--val-split)' },
  { name: 'epochs', label: 'Epochs (--epochs)' },
  { name: 'batch', label: 'Batch (--batch)' },
  { name: 'lr', label: 'Learning rate (--lr)' },
  { name: 'seed', label: 'Seed (--seed)' },
  { name: 'nproc', label: 'Processes, DDP (--nproc)' },
  { name: 'from', label: 'Starting weights (--from)', wide: true },
  { name: 'out', label: 'Best weights to (--out)', wide: true },
];
const CHOICES: { name: keyof FormView['choices']; label: string }[] = [
  { name: 'optimizer', label: 'Optimizer (--optimizer)' },
  { name: 'schedule', label: 'Schedule (--schedule)' },
  { name: 'augment', label: 'Augmentation (--augment)' },
  { name: 'freeze', label: 'Freeze (--freeze)' },
  { name: 'device', label: 'Device (--device)' },
];
const BROWSABLE: BrowseField[] = ['data', 'val', 'from', 'out'];

export interface FormHandle {
  setPath(field: BrowseField, path: string): void;
  /** While a run goes, Start is off and the settings fold away to leave the room to the run. */
  setRunning(running: boolean): void;
  setPython(text: string, ok: boolean): void;
  setInvalid(message: string): void;
}

export function renderForm(container: HTMLElement, form: FormView, send: Send): FormHandle {
  const title = el('h1', undefined, `Train ${form.network}`);
  title.append(el('span', 'file', form.file));
  const hint = el('p', 'hint', 'PyTorch trains the network in its own process. Empty fields take the default shown; paths are relative to the .resnet file.');

  const grid = el('div', 'grid');
  // Every text field and dropdown, by option name: what Start sends and Browse… fills in.
  const inputs = new Map<string, HTMLElement & { value: string }>();
  const named = <T extends HTMLElement & { value: string }>(name: string, input: T): T => {
    input.id = `field-${name}`;
    inputs.set(name, input);
    return input;
  };
  const field = ({ name, label, wide }: Field) => {
    const input = named(name, inputField(label, form.values[name] ?? '', form.placeholders[name] ?? ''));
    if (!wide) return input;
    const row = el('div', 'wide');
    row.append(input);
    if (BROWSABLE.includes(name as BrowseField)) row.append(button('Browse…', `Choose ${label.replace(/ \(.*/, '').toLowerCase()}`, () => send({ type: 'browse', field: name as BrowseField })));
    return row;
  };
  const [data, val, split, ...rest] = TEXT_FIELDS;
  grid.append(field(data!), field(val!), field(split!));
  for (const { name, label } of CHOICES) {
    const box = el('label', 'choice', label);
    const select = dropdown(label, () => {});
    select.setOptions(form.choices[name], form.values[name] ?? form.choices[name][0]);
    box.append(named(name, select.element as HTMLElement & { value: string }));
    grid.append(box);
  }
  for (const f of rest) grid.append(field(f));
  const amp = checkbox('Mixed precision (--amp)', form.values.amp ?? false);
  amp.id = 'field-amp';
  grid.append(amp);

  const python = el('div', undefined, 'looking for a Python with torch…');
  python.id = 'python';
  const invalid = el('div');
  invalid.id = 'invalid';
  invalid.setAttribute('role', 'alert');
  const start = button('Start training', 'Start PyTorch with these settings', () => {
    invalid.textContent = '';
    const values: FormValues = { amp: amp.checked };
    for (const [name, input] of inputs) values[name as FormTextField] = input.value;
    send({ type: 'start', values });
  });
  start.id = 'start';
  start.setAttribute('appearance', 'primary');
  const output = button('Show output', 'The full log in the ResNet Studio Training output', () => send({ type: 'showOutput' }));
  const actions = el('div', 'actions');
  actions.append(start, output);

  const settings = el('details');
  settings.id = 'settings';
  settings.open = true;
  settings.append(el('summary', undefined, 'Settings'), hint, grid);
  container.replaceChildren(title, settings, actions, python, invalid);
  let running = false;
  return {
    setRunning: (now) => {
      if (now === running) return;
      running = now;
      if (now) {
        start.setAttribute('disabled', '');
        settings.open = false;
      } else {
        start.removeAttribute('disabled');
      }
    },
    setPath: (name, path) => {
      const input = inputs.get(name);
      if (input) input.value = path;
    },
    setPython: (text, ok) => {
      python.textContent = text;
      python.className = ok ? '' : 'bad';
    },
    setInvalid: (message) => {
      invalid.textContent = message;
    },
  };
}
