// The only file that touches @vscode/webview-ui-toolkit (deprecated upstream): buttons, the search
// field, the network picker, the layer table's data grid and the training form's fields. Swapping the
// toolkit means rewriting these functions and nothing else.

import {
  provideVSCodeDesignSystem,
  vsCodeButton,
  vsCodeCheckbox,
  vsCodeDataGrid,
  vsCodeDataGridCell,
  vsCodeDataGridRow,
  vsCodeDropdown,
  vsCodeOption,
  vsCodeTextField,
} from '@vscode/webview-ui-toolkit';

export function registerToolkit(): void {
  provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeCheckbox(), vsCodeDataGrid(), vsCodeDataGridRow(), vsCodeDataGridCell(), vsCodeDropdown(), vsCodeOption(), vsCodeTextField());
}

export function button(label: string, title: string, onClick: () => void, { icon = false } = {}): HTMLElement {
  const element = document.createElement('vscode-button');
  element.textContent = label;
  element.title = title;
  element.setAttribute('aria-label', title);
  if (icon) element.setAttribute('appearance', 'icon');
  else element.setAttribute('appearance', 'secondary');
  element.addEventListener('click', onClick);
  return element;
}

export function setPressed(element: HTMLElement, pressed: boolean): void {
  element.setAttribute('aria-pressed', String(pressed));
  element.setAttribute('appearance', pressed ? 'primary' : 'secondary');
}

export function textField(placeholder: string, onInput: (value: string) => void, onEnter: (value: string, backwards: boolean) => void): HTMLElement & { value: string } {
  const element = document.createElement('vscode-text-field') as HTMLElement & { value: string };
  element.setAttribute('placeholder', placeholder);
  element.setAttribute('aria-label', placeholder);
  element.addEventListener('input', () => onInput(element.value));
  element.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') onEnter(element.value, event.shiftKey);
  });
  return element;
}

/** A labelled text field holding `value`; its `value` property is what the user typed. */
export function inputField(label: string, value: string, placeholder: string): HTMLElement & { value: string } {
  const element = document.createElement('vscode-text-field') as HTMLElement & { value: string };
  element.textContent = label;
  element.setAttribute('placeholder', placeholder);
  element.title = placeholder;
  element.value = value;
  return element;
}

export function checkbox(label: string, checked: boolean): HTMLElement & { checked: boolean } {
  const element = document.createElement('vscode-checkbox') as HTMLElement & { checked: boolean };
  element.textContent = label;
  element.checked = checked;
  return element;
}

export function dropdown(label: string, onChange: (value: string) => void): { element: HTMLElement; setOptions(options: string[], selected: string | undefined): void } {
  const element = document.createElement('vscode-dropdown') as HTMLElement & { value: string };
  element.setAttribute('aria-label', label);
  element.title = label;
  element.addEventListener('change', () => onChange(element.value));
  return {
    element,
    setOptions(options, selected) {
      element.replaceChildren(
        ...options.map((name) => {
          const option = document.createElement('vscode-option') as HTMLElement & { value: string };
          option.value = name;
          option.textContent = name;
          if (name === selected) option.setAttribute('selected', '');
          return option;
        }),
      );
      if (selected !== undefined) element.value = selected;
    },
  };
}

export interface GridColumn<K extends string> {
  key: K;
  title: string;
  /** CSS grid track size, e.g. '2fr' or '90px'. */
  width: string;
  numeric?: boolean;
  sortable: boolean;
}

/**
 * Fills `grid` (a container) with a data grid. Header cells of sortable columns are buttons;
 * `sorted` marks one of them with aria-sort. A row's id goes to `onActivate` on click or Enter.
 */
export function renderGrid<K extends string>(
  container: HTMLElement,
  columns: GridColumn<K>[],
  rows: { id: string; cells: Record<K, string> }[],
  sorted: { key: K; descending: boolean } | undefined,
  onSort: (key: K) => void,
  onActivate: (id: string) => void,
): void {
  const grid = document.createElement('vscode-data-grid');
  grid.setAttribute('grid-template-columns', columns.map((c) => c.width).join(' '));
  grid.setAttribute('aria-label', 'Layers');
  grid.setAttribute('generate-header', 'none');

  const header = document.createElement('vscode-data-grid-row');
  header.setAttribute('row-type', 'sticky-header');
  columns.forEach((column, index) => {
    const cell = document.createElement('vscode-data-grid-cell');
    cell.setAttribute('cell-type', 'columnheader');
    cell.setAttribute('grid-column', String(index + 1));
    const arrow = sorted?.key === column.key ? (sorted.descending ? ' ▾' : ' ▴') : '';
    cell.textContent = column.title + arrow;
    cell.dataset.key = column.key;
    if (column.numeric) cell.classList.add('numeric');
    if (column.sortable) {
      cell.classList.add('sortable');
      cell.setAttribute('aria-sort', sorted?.key === column.key ? (sorted.descending ? 'descending' : 'ascending') : 'none');
      cell.title = `Sort by ${column.title}`;
      cell.addEventListener('click', () => onSort(column.key));
      cell.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          onSort(column.key);
        }
      });
    }
    header.appendChild(cell);
  });
  grid.appendChild(header);

  const fragment = document.createDocumentFragment();
  for (const row of rows) {
    const element = document.createElement('vscode-data-grid-row');
    element.dataset.id = row.id;
    columns.forEach((column, index) => {
      const cell = document.createElement('vscode-data-grid-cell');
      cell.setAttribute('grid-column', String(index + 1));
      if (column.numeric) cell.classList.add('numeric');
      cell.textContent = row.cells[column.key];
      element.appendChild(cell);
    });
    fragment.appendChild(element);
  }
  grid.appendChild(fragment);
  grid.addEventListener('click', (event) => {
    const row = (event.target as Element).closest('vscode-data-grid-row') as HTMLElement | null;
    if (row?.dataset.id) onActivate(row.dataset.id);
  });
  grid.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return;
    const row = (event.target as Element).closest('vscode-data-grid-row') as HTMLElement | null;
    if (row?.dataset.id) onActivate(row.dataset.id);
  });
  container.replaceChildren(grid);
}
