/** Files dropped, pasted or picked anywhere on the page go to the right place by their names. */
import { classifyImage } from '../actions.ts';
import { isCheckpointFile, isModelFolderFile, loadCheckpointFile, loadModelFolder } from '../byow/userModels.ts';
import { useApp } from '../store.ts';
import type { InputPipeline } from './pipeline.ts';

export async function routeFiles(files: File[], pipeline?: InputPipeline): Promise<void> {
  if (files.length === 0) return;
  const checkpoint = files.find(isCheckpointFile);
  if (checkpoint) {
    await loadCheckpointFile(checkpoint);
    return;
  }
  if (files.some((f) => f.name.toLowerCase().endsWith('.json'))) {
    await loadModelFolder(files.filter(isModelFolderFile));
    return;
  }
  if (files.length > 1) useApp.getState().set({ notice: `${files.length} files were given; the first, "${files[0].name}", is classified.` });
  await classifyImage(files[0], files[0].name, 'upload', pipeline);
}

/** Every file in a drop, including those inside dropped folders (e.g. a converted model folder). */
export async function filesFromDrop(data: DataTransfer): Promise<File[]> {
  const entries = [...data.items].map((item) => item.webkitGetAsEntry?.()).filter((e): e is FileSystemEntry => !!e);
  if (entries.length === 0 || !entries.some((e) => e.isDirectory)) return [...data.files];
  const out: File[] = [];
  const walk = async (entry: FileSystemEntry): Promise<void> => {
    if (entry.isFile) {
      out.push(await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject)));
    } else if (entry.isDirectory) {
      const reader = (entry as FileSystemDirectoryEntry).createReader();
      // readEntries returns the listing in batches until an empty one.
      for (;;) {
        const batch = await new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
        if (batch.length === 0) break;
        for (const child of batch) await walk(child);
      }
    }
  };
  for (const entry of entries) await walk(entry);
  return out;
}
