/**
 * `npm run build:lab-kernel`: compile the Ghost lab's training kernels (AssemblyScript,
 * src/model/kernels/assembly/lab.ts) to WebAssembly and write it, base64, into
 * src/model/kernels/lab-kernels.wasm.ts (scripts/asc-kernel.ts, the same flags as the Ghost-module
 * tail). test/lab-kernels.test.ts recompiles and checks the two agree.
 */
import path from 'node:path';
import { ROOT, ascModuleText, compileAscKernel, isMain, writeAscKernel, type AscKernel } from './asc-kernel.ts';

export const LAB_KERNEL: AscKernel = {
  source: 'src/model/kernels/assembly/lab.ts',
  module: 'src/model/kernels/lab-kernels.wasm.ts',
  constant: 'LAB_KERNELS_WASM',
  npmScript: 'build:lab-kernel',
};

export const LAB_KERNEL_MODULE = path.join(ROOT, LAB_KERNEL.module);
export const compileLabKernel = (shared = false) => compileAscKernel(LAB_KERNEL, shared);
export const labModuleText = (wasm: Uint8Array, shared: Uint8Array) => ascModuleText(LAB_KERNEL, wasm, shared);

if (isMain(import.meta.url)) writeAscKernel(LAB_KERNEL);
