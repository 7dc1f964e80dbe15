// The preview's toolbar, VS Code style: the network picker and the search, then icon buttons
// (codicons) on one line, the zoom level, and the network's totals on the line below.

import type { Direction, ExportFormat, Metric } from '../contracts/preview';
import type { SummaryElements } from './info';
import { metricTitles } from './metric';
import { dropdown, iconButton, setIcon, setPressed, textField } from './toolkit';

export interface ToolbarActions {
  /** step 0: a new query; ±1: the next or previous match. */
  search(query: string, step: number): void;
  selectNetwork(name: string): void;
  toggleDirection(): void;
  foldAll(folded: boolean): void;
  fit(): void;
  zoom(factor: number): void;
  actualSize(): void;
  metric(metric: Metric): void;
  toggleTable(): void;
  compare(): void;
  export(format: ExportFormat): void;
}

export class Toolbar {
  readonly summary: SummaryElements;
  private readonly searchField: HTMLElement & { value: string };
  private readonly direction: HTMLElement;
  private readonly zoomLevel: HTMLElement;
  private readonly metricPicker: ReturnType<typeof dropdown>;
  private readonly table: HTMLElement;
  private readonly compareButton: HTMLElement;

  constructor(container: HTMLElement, actions: ToolbarActions) {
    const networks = dropdown('Network', actions.selectNetwork);
    networks.element.id = 'network-picker';
    this.summary = { name: document.getElementById('network-name')!, totals: document.getElementById('totals')!, networks };
    this.searchField = textField(
      'Find layer (/)',
      (query) => actions.search(query, 0),
      (_query, backwards) => actions.search(this.searchField.value, backwards ? -1 : 1),
    );
    this.searchField.id = 'search';
    this.direction = iconButton('arrow-down', '', actions.toggleDirection);
    this.direction.id = 'toggle-direction';
    this.zoomLevel = document.createElement('span');
    this.zoomLevel.id = 'zoom-level';
    this.zoomLevel.title = 'Zoom (click: actual size, 0)';
    this.zoomLevel.setAttribute('role', 'button');
    this.zoomLevel.tabIndex = 0;
    this.zoomLevel.addEventListener('click', actions.actualSize);
    this.metricPicker = dropdown('Colour nodes by', (value) => actions.metric(value as Metric));
    this.metricPicker.element.id = 'metric-picker';
    this.table = iconButton('table', 'Show the layer table (T)', actions.toggleTable);
    this.table.id = 'toggle-table';
    this.compareButton = iconButton('diff', 'Compare with another network…', actions.compare);
    this.compareButton.id = 'toggle-compare';
    const separator = () => {
      const bar = document.createElement('span');
      bar.className = 'separator';
      return bar;
    };
    const withId = (element: HTMLElement, id: string) => {
      element.id = id;
      return element;
    };
    container.append(
      networks.element,
      this.searchField,
      separator(),
      this.direction,
      withId(iconButton('collapse-all', 'Fold every stage and block', () => actions.foldAll(true)), 'fold-all'),
      withId(iconButton('expand-all', 'Unfold every stage and block', () => actions.foldAll(false)), 'unfold-all'),
      separator(),
      withId(iconButton('zoom-out', 'Zoom out (-)', () => actions.zoom(1 / 1.25)), 'zoom-out'),
      this.zoomLevel,
      withId(iconButton('zoom-in', 'Zoom in (+)', () => actions.zoom(1.25)), 'zoom-in'),
      withId(iconButton('screen-full', 'Fit the width of the diagram to the view (F)', actions.fit), 'fit'),
      separator(),
      this.metricPicker.element,
      this.table,
      this.compareButton,
      separator(),
      withId(iconButton('file-code', 'Export the diagram as SVG', () => actions.export('svg')), 'export-svg'),
      withId(iconButton('file-media', 'Export the diagram as PNG', () => actions.export('png')), 'export-png'),
    );
  }

  setDirection(direction: Direction): void {
    setIcon(this.direction, direction === 'LR' ? 'arrow-right' : 'arrow-down', direction === 'LR' ? 'Left to right: switch to top to bottom (D)' : 'Top to bottom: switch to left to right (D)');
  }

  setZoom(scale: number): void {
    this.zoomLevel.textContent = `${Math.round(scale * 100)} %`;
  }

  /** `timed`: an inference ran, so time per layer can be chosen. */
  setMetric(metric: Metric, timed: boolean): void {
    const options: Metric[] = ['none', 'params', 'macs', ...(timed ? (['time'] as Metric[]) : [])];
    const labels: Record<Metric, string> = { none: 'No colour', params: 'Params', macs: 'MACs', time: 'Time' };
    this.metricPicker.setOptions(
      options.map((m) => labels[m]),
      labels[options.includes(metric) ? metric : 'none'],
      options,
    );
    this.metricPicker.element.title = `Colour nodes by: ${metricTitles[metric]}`;
  }

  setTable(shown: boolean): void {
    setPressed(this.table, shown);
  }

  setComparing(comparing: boolean): void {
    setPressed(this.compareButton, comparing);
    this.compareButton.title = comparing ? 'Close the comparison' : 'Compare with another network…';
  }

  setNoMatch(noMatch: boolean): void {
    this.searchField.classList.toggle('no-match', noMatch);
  }

  focusSearch(): void {
    this.searchField.focus();
  }
}
