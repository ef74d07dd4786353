/** Class lists the app knows by size: Imagenette (10, the shipped models) and ImageNet-1k. */
import imagenet from './imagenet.json';

export interface ClassInfo {
  /** WordNet id, e.g. "n01440764" */
  readonly id: string;
  readonly name: string;
}

/** ImageNet-1k in the standard order (0 = tench ... 999 = toilet paper). Names: imagenet-simple-labels (public domain). */
export const IMAGENET_CLASSES: readonly ClassInfo[] = imagenet;

/** Imagenette's 10 classes in index order (WordNet ids sorted), as in the shipped models. */
export const IMAGENETTE_WNIDS = [
  'n01440764', 'n02102040', 'n02979186', 'n03000684', 'n03028079',
  'n03394916', 'n03417042', 'n03425413', 'n03445777', 'n03888257',
] as const;

const byWnid = new Map(IMAGENET_CLASSES.map((c) => [c.id, c]));

export function classesFromWnids(wnids: readonly string[]): ClassInfo[] {
  return wnids.map((id, i) => byWnid.get(id) ?? { id, name: `class ${i}` });
}

/**
 * Class names for a head of `count` outputs: explicit WordNet ids when the checkpoint carries
 * them, otherwise ImageNet for 1000, Imagenette for 10, and numbered classes for anything else.
 */
export function defaultClasses(count: number, wnids?: readonly string[]): ClassInfo[] {
  if (wnids && wnids.length === count) return classesFromWnids(wnids);
  if (count === IMAGENET_CLASSES.length) return [...IMAGENET_CLASSES];
  if (count === IMAGENETTE_WNIDS.length) return classesFromWnids(IMAGENETTE_WNIDS);
  return Array.from({ length: count }, (_, i) => ({ id: String(i), name: `class ${i}` }));
}
