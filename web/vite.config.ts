import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The API serves the built files itself; in development Vite proxies API calls to a running server.
const api = 'http://127.0.0.1:8080';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // Built at server start-up when missing: skip work nobody reads there.
    reportCompressedSize: false,
  },
  server: {
    proxy: {
      '/api': { target: api, changeOrigin: false },
      '/healthz': api,
    },
  },
});
