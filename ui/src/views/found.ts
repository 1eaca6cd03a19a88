// The accounts a scan (screen, image, clipboard, webcam) or an imported
// file found, to pick from: a box to tick per account, those already in
// Tessera unticked, where a multi-code Google Authenticator export stands,
// and the button that adds the ticked ones. The secrets stay in Rust; the
// list names accounts by their index in what Rust keeps.
import * as api from "../api";
import type { ScanResult } from "../api";
import { el } from "../dom";
import { accountLabel } from "../lib/search";
import type { App } from "./screen";
import { busy } from "./widgets";

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

/** The list of found accounts with a ticked box per new one. */
function foundList(result: ScanResult): { list: HTMLUListElement; boxes: HTMLInputElement[] } {
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
  return { list, boxes };
}

/** What the result says besides its accounts: what was skipped, and why. */
function foundNotes(result: ScanResult): HTMLElement[] {
  const parts: HTMLElement[] = [];
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
  return parts;
}

/**
 * The button that adds the ticked accounts, saying how many; after adding,
 * shows the code of a lone account at once.
 */
function addButton(app: App, card: HTMLElement, error: HTMLElement, boxes: HTMLInputElement[]): HTMLButtonElement {
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
  return add;
}

/**
 * Lists what a scan or an imported file found in `results`, with a box to
 * tick per account (those already in Tessera unticked) and the button that
 * adds them; `card` is busy while they are added, `error` says why not.
 */
export function renderFound(app: App, card: HTMLElement, results: HTMLElement, error: HTMLElement, result: ScanResult): void {
  const { list, boxes } = foundList(result);
  const parts: HTMLElement[] = [];
  if (result.series) {
    parts.push(el("p", { class: "series", "data-testid": "series" }, seriesText(result.series)));
  }
  if (result.found.length > 0) {
    parts.push(el("h3", {}, `Found ${result.found.length} account${result.found.length === 1 ? "" : "s"}`), list);
  }
  parts.push(...foundNotes(result));
  if (result.found.length > 0) {
    parts.push(addButton(app, card, error, boxes));
  }
  results.replaceChildren(...parts);
}
