/**
 * A built app served by `vite preview` on 127.0.0.1, for the scripts that drive Chromium through
 * it (screenshots, first-visit timing). The server is stopped with `stop()`.
 */
import { execFileSync, spawn } from 'node:child_process';

export interface Preview {
  readonly url: string;
  stop(): void;
}

/** `vite build --outDir dist` (the scripts build into their own folder, never dist/). */
export function build(dist: string): void {
  execFileSync('npx', ['vite', 'build', '--outDir', dist, '--emptyOutDir'], { stdio: ['ignore', 'ignore', 'inherit'] });
}

export async function startPreview(dist: string, port: number, timeoutMs = 60_000): Promise<Preview> {
  const server = spawn('npx', ['vite', 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort', '--outDir', dist], { stdio: 'ignore', detached: true });
  // The whole process group: npx starts vite as a child.
  const stop = () => {
    try {
      if (server.pid) process.kill(-server.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  };
  const url = `http://127.0.0.1:${port}/`;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`vite preview exited with code ${server.exitCode} (is port ${port} in use?)`);
    try {
      if ((await fetch(url)).ok) return { url, stop };
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  stop();
  throw new Error(`${url} did not come up within ${timeoutMs / 1000} s`);
}
