import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Everything the app loads is served from its own origin: models and samples from public/,
// the wasm backend's binaries bundled as assets (see src/app/backends.ts).
export default defineConfig({
  plugins: [react()],
  base: './',
  server: { port: 5173, strictPort: false },
  preview: { port: 4173, strictPort: true },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 2500,
    rollupOptions: { input: { main: 'index.html', bench: 'bench.html' } },
  },
  worker: { format: 'es' },
});
