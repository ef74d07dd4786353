/**
 * A class-folder tree on disk: one sub-folder of images per class, the sub-folder's name being the
 * class name (the layout of torchvision's ImageFolder). Classes and files come in code-unit order
 * of their names (JavaScript's default sort, Python's sorted), hidden entries are left out.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';

export interface ClassFolder {
  readonly name: string;
  readonly dir: string;
  /** Paths of the files in the folder (not checked to be images yet). */
  readonly files: string[];
}

const visible = (name: string) => !name.startsWith('.');
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export async function readClassFolders(root: string): Promise<ClassFolder[]> {
  let entries;
  try {
    entries = await fs.readdir(root, { withFileTypes: true });
  } catch {
    throw new Error(`${root}: cannot be read as a folder`);
  }
  const dirs = entries.filter((e) => e.isDirectory() && visible(e.name)).map((e) => e.name).sort(byName);
  const out: ClassFolder[] = [];
  for (const name of dirs) {
    const dir = path.join(root, name);
    const files = (await fs.readdir(dir, { withFileTypes: true })).filter((e) => e.isFile() && visible(e.name)).map((e) => e.name).sort(byName);
    out.push({ name, dir, files: files.map((f) => path.join(dir, f)) });
  }
  return out;
}

/** Whether a folder holds sub-folders (a class-folder tree) rather than images. */
export async function isClassFolderTree(root: string): Promise<boolean> {
  try {
    return (await fs.readdir(root, { withFileTypes: true })).some((e) => e.isDirectory() && visible(e.name));
  } catch {
    return false;
  }
}
