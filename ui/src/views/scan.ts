// Adding accounts from QR codes: scan the screen, open or drop an image,
// paste one, read the clipboard's, or use the webcam. Rust decodes and
// keeps what it finds (the codes hold secrets); this section lists the
// accounts to pick (found.ts), and for a Google Authenticator export of
// several codes says which are still to scan.
import * as api from "../api";
import type { ScanResult } from "../api";
import { el } from "../dom";
import { cameraPanel } from "./camera";
import { renderFound } from "./found";
import type { App } from "./screen";
import { busy, formError } from "./widgets";

/** Says why a file cannot be scanned, before reading any of it. */
export function imageProblem(file: { name: string; size: number; type: string }): string | null {
  if (file.size > api.MAX_IMAGE_BYTES) {
    const mb = Math.round(file.size / (1024 * 1024));
    return `${file.name} is ${mb} MB; a picture of a QR code is at most ${api.MAX_IMAGE_BYTES / (1024 * 1024)} MB.`;
  }
  if (file.type !== "" && !file.type.startsWith("image/")) {
    return `${file.name} is not an image.`;
  }
  return null;
}

/** The add screen's section that scans QR codes, the webcam's included. */
export function scanSection(app: App): HTMLElement {
  const screenButton = el("button", { type: "button", class: "primary", "data-testid": "scan-screen" }, "Scan the screen");
  const fileInput = el("input", { type: "file", accept: "image/*", class: "sr-only", id: "scan-file", "data-testid": "scan-file" });
  const fileButton = el("button", { type: "button", "data-testid": "scan-open" }, "Open an image…");
  const clipboardButton = el("button", { type: "button", "data-testid": "scan-clipboard" }, "Image from the clipboard");
  const status = el("p", { class: "muted", role: "status", "data-testid": "scan-status" });
  const error = formError("scan-error");
  const results = el("div", { class: "scan-results", "data-testid": "scan-results" });
  const card = el(
    "div",
    { class: "card drop-zone", "data-testid": "drop-zone" },
    el("p", { class: "field-hint" }, "Show the site’s QR code anywhere on screen, or drop, paste or open a picture of it."),
    el("div", { class: "actions start" }, screenButton, fileButton, clipboardButton, fileInput),
    status,
    error,
  );
  const gone = disconnected(card);

  const show = (result: ScanResult): void => {
    error.textContent = "";
    renderFound(app, card, results, error, result);
    const n = result.found.length;
    status.textContent = n === 0 ? "" : `Found ${n} account${n === 1 ? "" : "s"}.`;
  };
  // The webcam's finds join the same list as the other scans'.
  card.append(cameraPanel({ show, gone }), results);

  const run = (what: string, scan: () => Promise<ScanResult>): void => {
    error.textContent = "";
    status.textContent = what;
    void busy(card, async () => {
      try {
        show(await scan());
      } catch (e) {
        status.textContent = "";
        error.textContent = api.errorText(e);
      }
    });
  };

  const scanFile = (file: File): void => {
    const problem = imageProblem(file);
    if (problem) {
      status.textContent = "";
      error.textContent = problem;
      return;
    }
    run(`Reading ${file.name}…`, async () => api.scanImage(new Uint8Array(await file.arrayBuffer())));
  };

  screenButton.addEventListener("click", () => run("Looking at the screen…", api.scanScreen));
  clipboardButton.addEventListener("click", () => run("Looking at the clipboard…", api.scanClipboard));
  fileButton.addEventListener("click", () => fileInput.click());
  fileInput.addEventListener("change", () => {
    const file = fileInput.files?.[0];
    if (file) {
      scanFile(file);
    }
    fileInput.value = "";
  });
  card.addEventListener("dragover", (event) => {
    event.preventDefault();
    card.classList.add("dragging");
  });
  card.addEventListener("dragleave", () => card.classList.remove("dragging"));
  card.addEventListener("drop", (event) => {
    event.preventDefault();
    card.classList.remove("dragging");
    const file = event.dataTransfer?.files[0];
    if (file) {
      scanFile(file);
    }
  });
  // A pasted picture (Ctrl+V anywhere on the add screen outside a field).
  document.addEventListener(
    "paste",
    (event) => {
      if (!card.isConnected) {
        return;
      }
      const item = [...(event.clipboardData?.items ?? [])].find((i) => i.kind === "file" && i.type.startsWith("image/"));
      const file = item?.getAsFile();
      if (file) {
        event.preventDefault();
        scanFile(file);
      }
    },
    { signal: gone },
  );
  void api.scanReset().catch(() => undefined);
  return el("section", { class: "add-section", "aria-labelledby": "scan-title" }, el("h2", { id: "scan-title" }, "Scan a QR code"), card);
}

/** An abort signal that fires once `node` leaves the document. */
function disconnected(node: HTMLElement): AbortSignal {
  const controller = new AbortController();
  const observer = new MutationObserver(() => {
    if (!node.isConnected) {
      controller.abort();
      observer.disconnect();
    }
  });
  // Wait until the node is in the page before watching for its removal.
  queueMicrotask(() => observer.observe(document.body, { childList: true, subtree: true }));
  return controller.signal;
}
