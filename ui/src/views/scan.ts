// Adding accounts from QR codes: scan the screen, open or drop an image,
// paste one, read the clipboard's, or use the webcam. Rust decodes and
// keeps what it finds (the codes hold secrets); this section lists the
// accounts to pick, and for a Google Authenticator export of several codes
// says which are still to scan.
import * as api from "../api";
import type { ScanResult } from "../api";
import type { App } from "../app";
import { el } from "../dom";
import { accountLabel } from "../lib/search";
import { cameraPanel } from "./camera";
import { busy, formError } from "./form";

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

/** The text telling where a multi-code export stands. */
export function seriesText(series: { size: number; missing: number[] }): string {
  const scanned = series.size - series.missing.length;
  if (series.missing.length === 0) {
    return `Google Authenticator export: all ${series.size} codes scanned.`;
  }
  const missing = series.missing.map(String);
  const list = missing.length === 1 ? missing[0] : `${missing.slice(0, -1).join(", ")} and ${missing[missing.length - 1]}`;
  return `Google Authenticator export: ${scanned} of ${series.size} codes scanned. Show code ${list} and scan again.`;
}

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

/**
 * Lists what a scan or an imported file found, with a box to tick per
 * account (those already in Tessera unticked) and the button that adds
 * them; after adding, shows the code of a lone account at once.
 */
export function renderFound(app: App, card: HTMLElement, results: HTMLElement, error: HTMLElement, result: ScanResult): void {
  const boxes: HTMLInputElement[] = [];
  const list = el("ul", { class: "found", "aria-label": "Accounts found", "data-testid": "found" });
  for (const found of result.found) {
    const id = `found-${found.index}`;
    const box = el("input", { type: "checkbox", id, "data-index": String(found.index), "data-testid": "found-pick" });
    box.checked = !found.duplicate;
    boxes.push(box);
    const label = el("label", { for: id }, accountLabel(found));
    if (found.duplicate) {
      label.append(el("span", { class: "muted" }, " (already in Tessera)"));
    }
    if (found.recoveryCodes > 0) {
      label.append(el("span", { class: "muted" }, ` · ${found.recoveryCodes} recovery code${found.recoveryCodes === 1 ? "" : "s"}`));
    }
    list.append(el("li", { class: "check" }, box, label));
  }
  const parts: HTMLElement[] = [];
  if (result.series) {
    parts.push(el("p", { class: "series", "data-testid": "series" }, seriesText(result.series)));
  }
  if (result.found.length > 0) {
    parts.push(el("h3", {}, `Found ${result.found.length} account${result.found.length === 1 ? "" : "s"}`), list);
  }
  for (const skipped of result.skipped) {
    parts.push(el("p", { class: "field-hint warn", "data-testid": "skipped" }, `Cannot add ${skipped}`));
  }
  for (const note of result.notes) {
    parts.push(el("p", { class: "field-hint" }, note));
  }
  if (result.recoveryServices > 0) {
    const services = result.recoveryServices === 1 ? "1 service" : `${result.recoveryServices} services`;
    parts.push(
      el(
        "p",
        { class: "field-hint", "data-testid": "found-services" },
        `Recovery codes of ${services} without an account are kept too. Recovery codes of accounts already in Tessera join them, ticked or not.`,
      ),
    );
  }
  if (result.found.length > 0) {
    const add = el("button", { type: "button", class: "primary", "data-testid": "add-found" }, "Add the ticked accounts");
    const sync = (): void => {
      const n = boxes.filter((b) => b.checked).length;
      add.disabled = n === 0;
      add.textContent = n === 1 ? "Add 1 account" : `Add ${n} accounts`;
    };
    for (const b of boxes) {
      b.addEventListener("change", sync);
    }
    sync();
    add.addEventListener("click", () => {
      const indexes = boxes.filter((b) => b.checked).map((b) => Number(b.dataset.index));
      void busy(card, async () => {
        try {
          const added = await api.addScanned(indexes);
          await app.refreshAccounts();
          const first = added[0];
          if (added.length === 1 && first) {
            app.goAdded(first);
          } else {
            app.toast(`Added ${added.length} accounts`);
            app.goAccounts();
          }
        } catch (e) {
          error.textContent = api.errorText(e);
        }
      });
    });
    parts.push(add);
  }
  results.replaceChildren(...parts);
}
