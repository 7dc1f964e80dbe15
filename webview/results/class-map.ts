// Where the network looked: the image it saw with a class's heat map over it, an opacity slider and
// a choice among the top classes. The host sends the heat maps ready (engine/runtime/cam-overlay.ts).
import { clipMapText } from '../../contracts/inference-result';
import type { ClassMapsView, PixelsView } from '../../contracts/results';
import { el } from '../page';
import { figure, pixelsCanvas } from './dom';

const METHOD = { cam: 'class activation map', occlusion: 'occlusion sensitivity' } as const;

export function classMapFigure(seen: PixelsView, maps: ClassMapsView, probability: (index: number) => string): HTMLElement {
  const stack = el('div', 'overlay');
  const base = pixelsCanvas(seen);
  let heat = pixelsCanvas(maps.classes[0]!.heat);
  heat.className = 'heat';
  stack.append(base, heat);

  const controls = el('div', 'map-controls');
  const select = el('select', 'map-class');
  select.title = 'The class whose map is shown';
  maps.classes.forEach((c, i) => {
    const option = el('option', undefined, `${c.name} (${probability(c.index)})`);
    option.value = String(i);
    select.append(option);
  });
  const slider = el('input', 'map-opacity');
  slider.type = 'range';
  slider.min = '0';
  slider.max = '100';
  slider.value = '50';
  slider.title = 'Opacity of the map';
  const opacityLabel = el('label', 'opacity-label', 'opacity');
  opacityLabel.append(slider);
  const apply = () => {
    heat.style.opacity = String(Number(slider.value) / 100);
  };
  slider.addEventListener('input', apply);
  select.addEventListener('change', () => {
    const next = pixelsCanvas(maps.classes[Number(select.value)]!.heat);
    next.className = 'heat';
    heat.replaceWith(next);
    heat = next;
    apply();
  });
  apply();
  controls.append(select, opacityLabel);
  const caption = el('div');
  const frame = maps.clip ? ` ${clipMapText(maps.method, maps.clip.frame, maps.clip.frames)}` : '';
  caption.append(el('div', undefined, `where it looked: ${METHOD[maps.method]} (${maps.width}×${maps.height})${frame}`), controls);
  const f = figure(stack, caption);
  f.classList.add('class-map');
  return f;
}
