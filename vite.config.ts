import { defineConfig, loadEnv, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { VitePWA } from 'vite-plugin-pwa';
import path from 'node:path';
import { connectSrcOrigins, imagenetSources, withConnectSrc } from './src/fetch/sources.ts';
import { wasmThreads } from './scripts/vite-wasm-threads.ts';
import { shippedModels } from './scripts/vite-shipped-models.ts';
import { weightsBySha256 } from './src/app/pwa/weights-revisions.ts';

/** The build's output folder once Vite has resolved it (`--outDir` included), for the service worker's manifest. */
let outDir = 'dist';
const resolvedOutDir: Plugin = {
  name: 'ghostnet-out-dir',
  configResolved: (config) => {
    outDir = path.resolve(config.root, config.build.outDir);
  },
};

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
/**
 * Cross-origin isolation (SharedArrayBuffer), so TF.js's wasm backend runs on several threads
 * (src/runtime/wasm-threads.ts): Vite's dev and preview servers send it; see the README for hosts.
 */
const ISOLATION_HEADERS = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

export default defineConfig(({ mode }) => ({
  plugins: [
    react(),
    // The threaded wasm build's worker files as same-origin assets (no blob: script).
    wasmThreads(),
    // The shipped models' files, for the page's first requests (src/app/early-fetch.ts).
    shippedModels(),
    resolvedOutDir,
    weightSourcesCsp(loadEnv(mode, process.cwd(), 'VITE_').VITE_IMAGENET_WEIGHTS_URLS),
    // The service worker (src/sw.ts, Workbox modules; this plugin bundles it and writes the list of
    // files below into it) precaches everything the app needs, so a second visit starts and
    // classifies with no network, and adds COOP/COEP to the origin's responses (cross-origin
    // isolation on hosts that cannot send headers). 'prompt': a new deployment waits until the user
    // reloads (src/app/pwa/), so the page never changes under the user and is never silently stale.
    VitePWA({
      strategies: 'injectManifest',
      srcDir: 'src',
      filename: 'sw.ts',
      registerType: 'prompt',
      injectRegister: false,
      // The icons are in injectManifest.globPatterns below, once each.
      includeManifestIcons: false,
      manifest: {
        name: 'GhostNet in the browser',
        short_name: 'GhostNet',
        description: 'GhostNet (CVPR 2020) live in your browser: classify photos and your webcam, and see intrinsic vs ghost feature maps.',
        lang: 'en',
        start_url: './',
        scope: './',
        display: 'standalone',
        theme_color: '#440154',
        background_color: '#fafafa',
        icons: [
          { src: 'icons/icon-192.png', sizes: '192x192', type: 'image/png' },
          { src: 'icons/icon-512.png', sizes: '512x512', type: 'image/png' },
          { src: 'icons/icon-maskable-512.png', sizes: '512x512', type: 'image/png', purpose: 'maskable' },
          { src: 'favicon.svg', sizes: 'any', type: 'image/svg+xml' },
        ],
      },
      injectManifest: {
        globPatterns: [
          // App shell, the wasm backend's binaries (single- and multi-threaded) and the threaded
          // build's worker scripts, KaTeX's fonts (woff2: what every browser that runs this app asks
          // for), the icons.
          '*.{html,svg}',
          'assets/*.{js,css,wasm,woff2}',
          'icons/*.png',
          // The shipped models and the sample photos. The models' weights are in the list with the
          // SHA-256 of their file as revision, and src/sw.ts keeps them in a cache of their own that
          // the page's first download also fills, so a first visit downloads them once.
          'models/index.json',
          'models/*/{model.json,weights.bin}',
          'samples/*.{JPEG,json,csv}',
        ],
        // The benchmark page is a developer tool: not precached, always from the network. (The
        // routes, the lab data's runtime cache and the navigation fallback are in src/sw.ts.)
        globIgnores: ['bench.html', 'assets/bench-*.js'],
        // GhostNet 1.0x's weights are 7.9 MB.
        maximumFileSizeToCacheInBytes: 16 * 1024 * 1024,
        // Hashed file names under assets/ change with their content: no revision query needed.
        dontCacheBustURLsMatching: /^assets\//,
        manifestTransforms: [weightsBySha256(() => outDir)],
        // One classic script with Workbox inlined (no imports left).
        rollupFormat: 'iife',
      },
    }),
  ],
  base: './',
  server: { port: 5173, strictPort: false, headers: ISOLATION_HEADERS },
  preview: { port: 4173, strictPort: true, headers: ISOLATION_HEADERS },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 2500,
    rollupOptions: { input: { main: 'index.html', bench: 'bench.html' } },
  },
  worker: { format: 'es', plugins: () => [wasmThreads()] },
}));
