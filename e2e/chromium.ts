/**
 * Which browser the end-to-end tests drive, found without configuration:
 * $CHROMIUM_PATH (or $PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH) if set, else Debian's /usr/bin/chromium,
 * else an installed Google Chrome.
 */
import { existsSync } from 'node:fs';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable', '/opt/google/chrome/chrome'];

export function chromiumPath(): string {
  const fromEnv = process.env.CHROMIUM_PATH ?? process.env.PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROMIUM_PATH points to ${fromEnv}, which does not exist`);
    return fromEnv;
  }
  const found = CANDIDATES.find((p) => existsSync(p));
  if (!found) throw new Error('no Chromium found: install Debian\'s chromium (apt-get install chromium) or set CHROMIUM_PATH');
  return found;
}

/** Flags for a quiet, offline, software-WebGL headless Chromium. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--enable-unsafe-swiftshader',
  '--use-angle=swiftshader',
  '--ignore-gpu-blocklist',
];

/**
 * The same plus WebGPU: Chromium's SwiftShader adapter (a software "fallback adapter"), for the
 * WebGPU spec and the bench's WebGPU column. Measured with Debian's chromium 156 headless:
 * `--enable-unsafe-webgpu` alone gives it; no Vulkan or adapter flag is needed.
 */
export const WEBGPU_CHROMIUM_ARGS = [...CHROMIUM_ARGS, '--enable-unsafe-webgpu'];
