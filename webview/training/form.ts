// The training form: the network's `resnet-studio train` options as fields (text left empty takes the
// default its placeholder shows), Browse… for paths, and Start. The host checks the values.
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
  const title = document.createElement('h1');
  title.textContent = `Train ${form.network}`;
  const file = document.createElement('span');
  file.className = 'file';
  file.textContent = form.file;
  title.append(file);
  const hint = document.createElement('p');
  hint.className = 'hint';
  hint.textContent = 'PyTorch trains the network in its own process. Empty fields take the default shown; paths are relative to the .resnet file.';

  const grid = document.createElement('div');
  grid.className = 'grid';
  const texts = new Map<FormTextField, HTMLElement & { value: string }>();
  const field = ({ name, label, wide }: Field) => {
    const input = inputField(label, form.values[name] ?? '', form.placeholders[name] ?? '');
    input.id = `field-${name}`;
    texts.set(name, input);
    if (!wide) return input;
    const row = document.createElement('div');
    row.className = 'wide';
    row.append(input);
    if (BROWSABLE.includes(name as BrowseField)) row.append(button('Browse…', `Choose ${label.replace(/ \(.*/, '').toLowerCase()}`, () => send({ type: 'browse', field: name as BrowseField })));
    return row;
  };
  const [data, val, split, ...rest] = TEXT_FIELDS;
  grid.append(field(data!), field(val!), field(split!));
  const choices = new Map<string, HTMLElement & { value: string }>();
  for (const { name, label } of CHOICES) {
    const box = document.createElement('label');
    box.className = 'choice';
    box.append(label);
    const select = dropdown(label, () => {});
    select.setOptions(form.choices[name], form.values[name] ?? form.choices[name][0]);
    select.element.id = `field-${name}`;
    choices.set(name, select.element as HTMLElement & { value: string });
    box.append(select.element);
    grid.append(box);
  }
  for (const f of rest) grid.append(field(f));
  const amp = checkbox('Mixed precision (--amp)', form.values.amp ?? false);
  amp.id = 'field-amp';
  grid.append(amp);

  const python = document.createElement('div');
  python.id = 'python';
  python.textContent = 'looking for a Python with torch…';
  const invalid = document.createElement('div');
  invalid.id = 'invalid';
  invalid.setAttribute('role', 'alert');
  const start = button('Start training', 'Start PyTorch with these settings', () => {
    invalid.textContent = '';
    const values: FormValues = { amp: amp.checked };
    for (const [name, input] of texts) values[name] = input.value;
    for (const [name, select] of choices) values[name as FormTextField] = select.value;
    send({ type: 'start', values });
  });
  start.id = 'start';
  start.setAttribute('appearance', 'primary');
  const output = button('Show output', 'The full log in the ResNet Studio Training output', () => send({ type: 'showOutput' }));
  const actions = document.createElement('div');
  actions.className = 'actions';
  actions.append(start, output);

  const settings = document.createElement('details');
  settings.id = 'settings';
  settings.open = true;
  const summary = document.createElement('summary');
  summary.textContent = 'Settings';
  settings.append(summary, hint, grid);
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
      const input = texts.get(name);
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
