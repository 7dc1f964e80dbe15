// Which class each sub-folder of a labelled folder holds. A sub-folder is named by its class's label
// (case, spaces and punctuation aside: "T-shirt_top" is "T-shirt/top") or by its class index; or, when
// no name says it, there is one sub-folder per class and their sorted order is the class order
// (torchvision's ImageFolder, e.g. ImageNet's WordNet IDs). Anything else is refused: sub-folders that
// are not classes (a project's `home` and `repo`) would otherwise give an accuracy that means nothing.

export interface ClassFolders {
  /** The sub-folders, sorted. */
  names: string[];
  /** Each sub-folder's class index. */
  targets: number[];
  /** 'named': by label or index; 'sorted': one per class, in sorted order. */
  rule: 'named' | 'sorted';
}

const SHOWN = 5;
const key = (name: string) => name.normalize('NFKC').toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
const listed = (items: string[]) => items.slice(0, SHOWN).join(', ') + (items.length > SHOWN ? `, … (${items.length} in all)` : '');

/** The classes a folder name can mean: those whose label it spells, else the index it spells; empty when none. */
export function classesNamed(classes: number, labels: readonly string[] | undefined): (name: string) => number[] {
  const byLabel = new Map<string, number[]>();
  labels?.slice(0, classes).forEach((label, index) => {
    if (key(label)) byLabel.set(key(label), [...(byLabel.get(key(label)) ?? []), index]);
  });
  return (name) => {
    const byName = byLabel.get(key(name)) ?? [];
    return byName.length === 0 && /^\d+$/.test(name) && Number(name) < classes ? [Number(name)] : byName;
  };
}

/** The classes of the sorted sub-folders `names` of `folder`, or why they are not class folders. */
export function classFolders(folder: string, names: string[], classes: number, labels: readonly string[] | undefined): ClassFolders | string {
  const named = classesNamed(classes, labels);
  const matches = names.map(named);
  if (matches.every((m) => m.length === 1)) return { names, targets: matches.map((m) => m[0]!), rule: 'named' };
  if (matches.every((m) => m.length === 0) && names.length === classes) return { names, targets: names.map((_, i) => i), rule: 'sorted' };

  const unmatched = names.flatMap((name, i) => {
    const found = matches[i]!;
    if (found.length === 1) return [];
    return [found.length === 0 ? name : `${name} (labels ${found.join(' and ')})`];
  });
  const byName = labels ? `its label (${listed(labels.slice(0, classes))}; case, spaces and punctuation aside) or by its class index` : 'its class index';
  return (
    `${folder}: ${unmatched.length} of its ${names.length} sub-folders name no class of the network: ${listed(unmatched)}. ` +
    `A labelled folder has a sub-folder per class named by ${byName} (0 to ${classes - 1}), or exactly ${classes} ` +
    `sub-folders whose sorted order is the class order (torchvision's ImageFolder), or files named <anything>_<class index>.<ext>`
  );
}
