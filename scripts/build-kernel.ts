/**
 * `npm run build:kernel`: compile the Ghost-module tail kernel (AssemblyScript,
 * src/model/kernels/assembly/ghost.ts) to WebAssembly and write it, base64, into
 * src/model/kernels/ghost-tail.wasm.ts (scripts/asc-kernel.ts). test/ghost-kernel.test.ts
 * recompiles both builds and checks they agree.
 */
import path from 'node:path';
import { ROOT, ascModuleText, compileAscKernel, isMain, writeAscKernel, type AscKernel } from './asc-kernel.ts';

export const GHOST_TAIL_KERNEL: AscKernel = {
  source: 'src/model/kernels/assembly/ghost.ts',
  module: 'src/model/kernels/ghost-tail.wasm.ts',
  constant: 'GHOST_TAIL_WASM',
  npmScript: 'build:kernel',
};

export const KERNEL_MODULE = path.join(ROOT, GHOST_TAIL_KERNEL.module);
export const compileKernel = (shared = false) => compileAscKernel(GHOST_TAIL_KERNEL, shared);
export const moduleText = (wasm: Uint8Array, shared: Uint8Array) => ascModuleText(GHOST_TAIL_KERNEL, wasm, shared);

if (isMain(import.meta.url)) writeAscKernel(GHOST_TAIL_KERNEL);
