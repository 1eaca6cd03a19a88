// Adding accounts from QR codes: scan the screen (now or after a delay,
// whole or a region picked on a capture), open or drop an image, paste
// one, read the clipboard's, or use the webcam. While the section shows,
// the clipboard is watched: an otpauth:// link or a QR image copied there
// is offered, by name, and added only if the user says so. Rust decodes
// and keeps what it finds (the codes hold secrets); this section lists the
// accounts to pick (found.ts), and for a Google Authenticator export of
// several codes says which are still to scan.
import * as api from "../api";
import type { ScanResult } from "../api";
import type { ClipboardOffer } from "../bindings";
import { el } from "../dom";
import { cameraPanel } from "./camera";
import { renderFound } from "./found";
import { regionPicker } from "./region";
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
  const regionButton = el("button", { type: "button", "data-testid": "scan-region" }, "Pick a region…");
  const delay = el(
    "select",
    { "data-testid": "scan-delay", "aria-label": "When to capture the screen" },
    el("option", { value: "0" }, "Now"),
    el("option", { value: "3" }, "In 3 seconds"),
    el("option", { value: "10" }, "In 10 seconds"),
  );
  const region = el("div", { class: "region-holder" });
  const offer = el("div", { class: "clipboard-offer", role: "status", "data-testid": "clipboard-offer", hidden: "" });
  const fileInput = el("input", { type: "file", accept: "image/*", class: "sr-only", id: "scan-file", "data-testid": "scan-file" });
  const fileButton = el("button", { type: "button", "data-testid": "scan-open" }, "Open an image…");
  const clipboardButton = el("button", { type: "button", "data-testid": "scan-clipboard" }, "Image from the clipboard");
  const status = el("p", { class: "muted", role: "status", "data-testid": "scan-status" });
  const error = formError("scan-error");
  const results = el("div", { class: "scan-results", "data-testid": "scan-results" });
  const card = el(
    "div",
    { class: "card drop-zone", "data-testid": "drop-zone" },
    el(
      "p",
      { class: "field-hint" },
      "Show the site’s QR code anywhere on screen, or drop, paste or open a picture of it. Tessera’s window steps aside while the screen is captured.",
    ),
    offer,
    el("div", { class: "actions start" }, screenButton, regionButton, delay, fileButton, clipboardButton, fileInput),
    region,
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
        // No "Found 1 account" of an earlier scan left over a new error.
        results.replaceChildren();
        error.textContent = api.errorText(e);
      }
    });
  };

  const scanFile = (file: File): void => {
    const problem = imageProblem(file);
    if (problem) {
      status.textContent = "";
      results.replaceChildren();
      error.textContent = problem;
      return;
    }
    run(`Reading ${file.name}…`, async () => api.scanImage(new Uint8Array(await file.arrayBuffer())));
  };

  const seconds = (): number => Number(delay.value);
  const when = (): string => (seconds() === 0 ? "" : ` in ${seconds()} seconds`);
  screenButton.addEventListener("click", () => run(`Looking at the screen${when()}…`, () => api.scanScreen(seconds())));
  regionButton.addEventListener("click", () => {
    error.textContent = "";
    status.textContent = `Capturing the screen${when()}…`;
    void busy(card, async () => {
      try {
        const preview = await api.captureScreen(seconds());
        status.textContent = "";
        const close = (): void => {
          region.replaceChildren();
          regionButton.focus();
        };
        const picker = regionPicker(
          preview,
          (picked) =>
            run("Reading the region…", async () => {
              const result = await api.scanRegion(picked);
              close();
              return result;
            }),
          close,
        );
        region.replaceChildren(picker);
        picker.querySelector<HTMLElement>(".region-frame")?.focus();
      } catch (e) {
        status.textContent = "";
        error.textContent = api.errorText(e);
      }
    });
  });
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
  watchClipboard(card, offer, gone, (id) => run("Reading the clipboard…", () => api.takeClipboard(id)));
  void api.scanReset().catch(() => undefined);
  return el("section", { class: "add-section", "aria-labelledby": "scan-title" }, el("h2", { id: "scan-title" }, "Scan a QR code"), card);
}

/** How often the clipboard is looked at while the add screen shows. */
export const CLIPBOARD_POLL_MS = 1000;

/** The offer's question for the accounts on the clipboard. */
export function offerText(offer: Pick<ClipboardOffer, "accounts" | "source">): string {
  const where = offer.source === "image" ? "in the QR code on the clipboard" : "on the clipboard";
  if (offer.accounts.length === 1) {
    return `Add the account ${where}? ${offer.accounts[0]}`;
  }
  return `Add the ${offer.accounts.length} accounts ${where}? ${offer.accounts.join(", ")}`;
}

/**
 * Asks Rust about the clipboard every CLIPBOARD_POLL_MS while `card` is in
 * the page and the window shows, and offers what it holds in `holder`;
 * `take` runs only on the user's click. Stops when the card leaves the
 * page (another screen, or the vault locking) or Rust says it is locked.
 */
function watchClipboard(card: HTMLElement, holder: HTMLElement, gone: AbortSignal, take: (id: number) => void): void {
  let dismissed = 0;
  let shown = 0;
  const hide = (): void => {
    holder.hidden = true;
    holder.replaceChildren();
    shown = 0;
  };
  const present = (found: ClipboardOffer): void => {
    if (found.id === shown) {
      return;
    }
    shown = found.id;
    const add = el("button", { type: "button", class: "primary", "data-testid": "clipboard-add" }, "Add");
    const no = el("button", { type: "button", "data-testid": "clipboard-dismiss" }, "Not now");
    add.addEventListener("click", () => {
      dismissed = found.id;
      hide();
      take(found.id);
    });
    no.addEventListener("click", () => {
      dismissed = found.id;
      hide();
    });
    holder.replaceChildren(el("p", { "data-testid": "clipboard-offer-text" }, offerText(found)), el("div", { class: "actions start" }, add, no));
    holder.hidden = false;
  };
  const look = async (): Promise<void> => {
    if (gone.aborted) {
      return;
    }
    // Not while a scan runs (its window is hidden) or the window is away.
    if (document.visibilityState === "visible" && card.getAttribute("aria-busy") !== "true") {
      try {
        const found = await api.clipboardOffer();
        if (found === null || found.id === dismissed) {
          hide();
        } else {
          present(found);
        }
      } catch (e) {
        if (api.errorKind(e) === "locked") {
          return;
        }
      }
    }
    if (!gone.aborted) {
      window.setTimeout(() => void look(), CLIPBOARD_POLL_MS);
    }
  };
  // Once the section is in the page (gone is wired then).
  window.setTimeout(() => void look(), 0);
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
