/** Written by the Vite plugin scripts/vite-shipped-models.ts from public/models at build time. */
declare module 'virtual:shipped-model-files' {
  export const SHIPPED_MODEL_FILES: {
    /** The model list, relative to the page. */
    readonly index: string;
    readonly defaultId: string | null;
    /** Per shipped model id: its model.json and weight files, relative to the page, and its metadata's name. */
    readonly models: Readonly<Record<string, { readonly modelJson: string; readonly weights: readonly string[]; readonly name?: string }>>;
  };
}
