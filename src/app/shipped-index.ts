/**
 * The shipped model list (public/models/index.json) and its one rule for the default model, shared
 * by the build (scripts/vite-shipped-models.ts, whose `defaultId` the page's early requests use) and
 * the page (startApp): no imports, so the Vite config can load it too.
 */
export interface ShippedModelEntry {
  readonly id: string;
  /** model.json, relative to the page. */
  readonly url: string;
  readonly default?: boolean;
}

export interface ShippedIndex {
  readonly models: readonly ShippedModelEntry[];
}

/** The first entry marked `"default": true`, else the first listed; undefined for an empty list. */
export function defaultEntry<T extends { readonly default?: unknown }>(models: readonly T[]): T | undefined {
  return models.find((m) => m.default === true) ?? models[0];
}
