import { defineConfig, loadEnv, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { connectSrcOrigins, imagenetSources, withConnectSrc } from './src/fetch/sources.ts';

/**
 * The page may talk to its own origin and, for the one-click ImageNet download only, to the weight
 * sources (and the CDNs they redirect to): the CSP's connect-src is built from the same table the
 * app uses, or from VITE_IMAGENET_WEIGHTS_URLS when that replaces it.
 */
function weightSourcesCsp(override: string | undefined): Plugin {
  const origins = connectSrcOrigins(imagenetSources(override));
  return { name: 'ghostnet-weight-sources-csp', transformIndexHtml: (html) => withConnectSrc(html, origins) };
}

// Everything else the app loads is served from its own origin: models and samples from public/,
// the wasm backend's binaries bundled as assets (see src/runtime/backends.ts).
export default defineConfig(({ mode }) => ({
  plugins: [react(), weightSourcesCsp(loadEnv(mode, process.cwd(), 'VITE_').VITE_IMAGENET_WEIGHTS_URLS)],
  base: './',
  server: { port: 5173, strictPort: false },
  preview: { port: 4173, strictPort: true },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 2500,
    rollupOptions: { input: { main: 'index.html', bench: 'bench.html' } },
  },
  worker: { format: 'es' },
}));
