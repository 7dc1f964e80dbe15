// The legend of the metric the nodes are coloured by, on its own line in the header (never over the diagram).

import type { Legend } from './metric';

export function renderLegend(container: HTMLElement, legend: Legend | undefined): void {
  container.replaceChildren();
  container.hidden = !legend;
  if (!legend) return;
  const title = document.createElement('div');
  title.className = 'legend-title';
  title.textContent = legend.title;
  container.appendChild(title);
  for (const step of legend.steps) {
    const row = document.createElement('div');
    row.className = 'legend-step';
    const swatch = document.createElement('span');
    swatch.className = `swatch heat-${step.level}`;
    row.append(swatch, step.label);
    container.appendChild(row);
  }
}
