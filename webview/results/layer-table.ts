// Per-layer timings of an image run as a table, per layer or per stage, sorted by a click on a column.
// A layer that onnxruntime fused into another shows that layer's time once, on the layer that ran.
import { stageTimes, type ImageResult } from '../../contracts/inference-result';
import { el } from '../page';
import { ms } from './dom';

type Row = { name: string; ms: number; note: string };
type Key = 'name' | 'ms';

function layerRows(profile: NonNullable<ImageResult['profile']>): Row[] {
  return profile
    .filter((l) => !l.fusedInto)
    .map((l) => {
      const members = profile.filter((f) => f.fusedInto === l.name).map((f) => f.name);
      return { name: l.name, ms: l.ms, note: members.length ? `fused: this node also ran ${members.join(', ')}` : '' };
    });
}

export function layerTimesSection(image: ImageResult, runMs: number): HTMLElement {
  const profile = image.profile!;
  const section = el('div', 'layer-times');
  const views = { layer: layerRows(profile), stage: stageTimes(profile).map((s) => ({ ...s, note: '' })) };
  let view: keyof typeof views = 'layer';
  let sort: { key: Key; descending: boolean } = { key: 'ms', descending: true };
  const total = views.stage.reduce((sum, s) => sum + s.ms, 0) + (image.profileOtherMs ?? 0);
  const table = el('table', 'profile');
  const tabs = el('div', 'tabs');
  const tab = (name: keyof typeof views, label: string) => {
    const b = el('button', 'tab', label);
    b.type = 'button';
    b.addEventListener('click', () => {
      view = name;
      draw();
    });
    return b;
  };
  const layerTab = tab('layer', 'Per layer');
  const stageTab = tab('stage', 'Per stage');
  tabs.append(layerTab, stageTab);

  function header(label: string, key: Key | undefined): HTMLElement {
    const th = el('th', key === 'name' || key === undefined ? 'name' : undefined, label + (key && sort.key === key ? (sort.descending ? ' ▼' : ' ▲') : ''));
    if (key) {
      th.classList.add('sortable');
      th.title = `Sort by ${label}`;
      th.addEventListener('click', () => {
        sort = { key, descending: sort.key === key ? !sort.descending : key === 'ms' };
        draw();
      });
    }
    return th;
  }

  function draw(): void {
    layerTab.classList.toggle('selected', view === 'layer');
    stageTab.classList.toggle('selected', view === 'stage');
    const rows = [...views[view]].sort((a, b) => {
      const order = sort.key === 'ms' ? a.ms - b.ms : a.name.localeCompare(b.name, undefined, { numeric: true });
      return sort.descending ? -order : order;
    });
    const head = el('tr');
    head.append(header(view === 'layer' ? 'layer' : 'stage', 'name'), header('time', 'ms'), el('th', undefined, 'share'), el('th', 'name', view === 'layer' ? 'note' : ''));
    table.replaceChildren(head);
    for (const row of rows) {
      const tr = el('tr');
      const share = el('td', 'share');
      const bar = el('div', 'share-bar');
      bar.style.width = `${total > 0 ? ((row.ms / total) * 100).toFixed(1) : 0}%`;
      share.append(bar, el('span', undefined, total > 0 ? `${((row.ms / total) * 100).toFixed(1)}%` : ''));
      tr.append(el('td', 'name', row.name), el('td', undefined, ms(row.ms, 3)), share, el('td', 'name note', row.note));
      table.append(tr);
    }
  }
  draw();
  const other = image.profileOtherMs ?? 0;
  section.append(
    el('h3', undefined, 'Time per layer (one measured run, after a warm-up run)'),
    tabs,
    table,
    el(
      'div',
      'profile-total',
      `Layers ${ms(total - other, 3)}${other > 0 ? ` + onnxruntime's layout conversions ${ms(other, 3)}` : ''} = ${ms(total, 3)} in nodes; the measured run took ${ms(runMs, 3)} (the rest is onnxruntime's work between nodes).`,
    ),
  );
  return section;
}
