import { defineConfig } from 'vite';

/**
 * The browser app: one script and one stylesheet under dist/web/assets (no code splitting), so
 * the offline compare report can inline both; a manifest tells `compareReportHtml` their names.
 */
export default defineConfig({
  root: 'web',
  base: '/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    manifest: true,
    // no inline <script>: the page is served under CSP default-src 'self'
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1000,
    rolldownOptions: { output: { codeSplitting: false } },
  },
});
