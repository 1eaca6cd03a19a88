// Vite builds the webview's assets into ui/dist, which tauri.conf.json
// embeds. No remote content: everything ships inside the binary.
import { defineConfig } from "vitest/config";

export default defineConfig({
  clearScreen: false,
  server: { port: 5173, strictPort: true },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    target: "safari15",
    // One small bundle: the webview loads it from the binary, not a network.
    modulePreload: false,
    assetsInlineLimit: 0,
  },
  test: {
    environment: "happy-dom",
    include: ["src/**/*.test.ts"],
  },
});
