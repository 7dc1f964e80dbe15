// The only file that touches @vscode/webview-ui-toolkit (deprecated upstream): buttons, the search
// field, the pickers and the training form's fields. Swapping the toolkit means rewriting these
// functions and nothing else.

import { provideVSCodeDesignSystem, vsCodeButton, vsCodeCheckbox, vsCodeDropdown, vsCodeOption, vsCodeTextField } from '@vscode/webview-ui-toolkit';

export function registerToolkit(): void {
  provideVSCodeDesignSystem().register(vsCodeButton(), vsCodeCheckbox(), vsCodeDropdown(), vsCodeOption(), vsCodeTextField());
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

/** A toolbar button showing a codicon, VS Code style; `title` is its tooltip and accessible name. */
export function iconButton(icon: string, title: string, onClick: () => void): HTMLElement {
  const element = document.createElement('vscode-button');
  element.setAttribute('appearance', 'icon');
  element.title = title;
  element.setAttribute('aria-label', title);
  const glyph = document.createElement('span');
  glyph.className = `codicon codicon-${icon}`;
  element.appendChild(glyph);
  element.addEventListener('click', onClick);
  return element;
}

export function setIcon(element: HTMLElement, icon: string, title: string): void {
  element.querySelector('.codicon')!.className = `codicon codicon-${icon}`;
  element.title = title;
  element.setAttribute('aria-label', title);
}

export function setPressed(element: HTMLElement, pressed: boolean): void {
  element.setAttribute('aria-pressed', String(pressed));
  element.classList.toggle('pressed', pressed);
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

export interface Dropdown {
  element: HTMLElement;
  /** `values` (default: the labels) are what onChange receives. */
  setOptions(labels: string[], selected: string | undefined, values?: string[]): void;
}

export function dropdown(label: string, onChange: (value: string) => void): Dropdown {
  const element = document.createElement('vscode-dropdown') as HTMLElement & { value: string };
  element.setAttribute('aria-label', label);
  element.title = label;
  element.addEventListener('change', () => onChange(element.value));
  return {
    element,
    setOptions(labels, selected, values = labels) {
      element.replaceChildren(
        ...labels.map((text, i) => {
          const option = document.createElement('vscode-option') as HTMLElement & { value: string };
          option.value = values[i];
          option.setAttribute('value', values[i]);
          option.textContent = text;
          if (text === selected) option.setAttribute('selected', '');
          return option;
        }),
      );
      const index = selected === undefined ? -1 : labels.indexOf(selected);
      if (index >= 0) element.value = values[index];
    },
  };
}
