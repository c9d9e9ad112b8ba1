import { defineConfig } from "vite";
import { svelte } from "@sveltejs/vite-plugin-svelte";

// The window loads ui/dist through Tauri's custom protocol; `npm run dev` serves the same
// files on the devUrl of tauri.conf.json for `cargo run -p sealdesk`.
export default defineConfig({
  plugins: [svelte()],
  clearScreen: false,
  server: { port: 5173, strictPort: true, host: "localhost" },
  build: {
    target: "safari15",
    outDir: "dist",
    emptyOutDir: true,
    // No inline assets: the CSP allows only 'self' for scripts, styles and fonts.
    assetsInlineLimit: 0,
  },
});
