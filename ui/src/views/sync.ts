// Sync through a folder the user already syncs: the Settings section (on
// with a device name and the folder Rust asks for in a native chooser,
// what the last sync did, the devices seen, "Sync now", off) and the
// first-run form that joins a vault synced from another computer. While
// sync is on Rust syncs by itself (at unlock, when another machine's file
// arrives, every few minutes); a merge reaches this page as a new revision
// of the accounts.
import * as api from "../api";
import type { DeviceView, MergeView, SyncView, VaultStatus } from "../api";
import { el } from "../dom";
import { validatePassword } from "../lib/validate";
import { nowSeconds, plural, when } from "../lib/when";
import type { App } from "./screen";
import { busy, formError, textField } from "./widgets";

/** What a sync brought in, in one sentence. */
export function mergedText(merged: MergeView): string {
  if (merged.files === 0 && merged.conflictCopies === 0) {
    return "Nothing new from the other devices.";
  }
  const changes = [
    merged.accountsAdded > 0 ? `${plural(merged.accountsAdded, "account")} added` : "",
    merged.accountsRemoved > 0 ? `${plural(merged.accountsRemoved, "account")} removed` : "",
    merged.accountsChanged > 0 ? `${plural(merged.accountsChanged, "account")} changed` : "",
    merged.codesUsed > 0 ? `${plural(merged.codesUsed, "recovery code")} used elsewhere` : "",
  ].filter((part) => part !== "");
  const read = [
    merged.files > 0 ? plural(merged.files, "device file") : "",
    merged.conflictCopies > 0 ? `${merged.conflictCopies} conflict ${merged.conflictCopies === 1 ? "copy" : "copies"}` : "",
  ]
    .filter((part) => part !== "")
    .join(" and ");
  return `Merged ${read}: ${changes.length === 0 ? "no change" : changes.join(", ")}.`;
}

/** One device, for people: its name, whether it is this computer, when its file changed. */
export function deviceText(device: DeviceView, now: number): string {
  const name = device.name === "" ? `device ${device.id}` : device.name;
  if (device.thisComputer) {
    return `${name} (this computer)`;
  }
  return device.fileChanged === null ? name : `${name}, its file changed ${when(device.fileChanged, now)}`;
}

/** Lines under a heading, or nothing when there are none. */
function lines(testid: string, title: string, items: string[]): HTMLElement[] {
  if (items.length === 0) {
    return [];
  }
  return [el("p", { class: "warn-text" }, title), el("ul", { "data-testid": testid }, ...items.map((item) => el("li", {}, item)))];
}

/** The Settings section: on or off, and what the last sync did. */
export function syncSection(app: App, heading: HTMLElement): { section: HTMLElement; reload: () => void } {
  const section = el("section", { class: "card", "aria-labelledby": heading.id, "data-testid": "sync-section" }, heading);
  const body = el("div", { class: "stack" });
  const error = formError("sync-error");
  section.append(body, error);

  const run = (work: () => Promise<SyncView>, saved: (view: SyncView) => string | null): void => {
    error.textContent = "";
    void busy(section, async () => {
      try {
        const view = await work();
        render(view);
        const message = saved(view);
        if (message !== null) {
          app.toast(message);
        }
      } catch (e) {
        error.textContent = api.errorText(e);
      }
    });
  };

  const render = (view: SyncView): void => {
    const now = nowSeconds();
    if (!view.enabled) {
      const name = textField({
        label: "This computer’s name for the other devices",
        value: view.suggestedName,
        testid: "sync-name",
        attrs: { autocomplete: "off", spellcheck: "false", maxlength: "64" },
      });
      const enable = el("button", { type: "button", class: "primary", "data-testid": "sync-enable" }, "Choose the folder and turn on…");
      enable.addEventListener("click", () =>
        run(
          () => api.enableSync(name.input.value.trim() || null),
          (after) => (after.enabled ? "Sync is on" : null),
        ),
      );
      body.replaceChildren(
        el("p", { "data-testid": "sync-state" }, "Sync is off."),
        el(
          "p",
          { class: "field-hint" },
          "Pick a folder your sync tool (Syncthing, Nextcloud, Dropbox, a network share) carries between your computers. " +
            "Each computer writes only its own encrypted copy there and merges the others’.",
        ),
        name.wrap,
        el("div", { class: "actions start" }, enable),
        ...(view.problem === null ? [] : [el("p", { class: "warn-text", "data-testid": "sync-problem" }, view.problem)]),
      );
      return;
    }
    const syncNow = el("button", { type: "button", class: "primary", "data-testid": "sync-now" }, "Sync now");
    syncNow.addEventListener("click", () => run(() => api.syncNow(), (after) => mergedText(after.merged)));
    const disable = el("button", { type: "button", "data-testid": "sync-disable" }, "Turn off");
    disable.addEventListener("click", () => run(() => api.disableSync(), () => "Sync is off on this computer"));
    body.replaceChildren(
      el("p", { "data-testid": "sync-state" }, `Syncing as “${view.name ?? ""}” through:`),
      el("p", {}, el("code", { "data-testid": "sync-folder" }, view.folder ?? "")),
      el("p", { "data-testid": "sync-last" }, view.lastSync === null ? "Not synced yet." : `Last sync: ${when(view.lastSync, now)}`),
      el("p", { "data-testid": "sync-merged" }, mergedText(view.merged)),
      el("p", {}, "Devices:"),
      el(
        "ul",
        { "data-testid": "sync-devices" },
        ...view.devices.map((device) => el("li", { "data-testid": "sync-device" }, deviceText(device, now))),
      ),
      ...lines("sync-refused", "Files left alone:", view.refused),
      ...lines("sync-warnings", "Warnings:", view.warnings),
      ...(view.problem === null ? [] : [el("p", { class: "warn-text", "data-testid": "sync-problem" }, view.problem)]),
      el("div", { class: "actions start" }, syncNow, disable),
    );
  };

  const reload = (): void => {
    if (section.getAttribute("aria-busy") === "true") {
      return;
    }
    api
      .syncStatus()
      .then(render)
      .catch((e: unknown) => {
        error.textContent = api.errorText(e);
      });
  };
  reload();
  return { section, reload };
}

/**
 * The first-run form that makes this computer's vault from one synced in a
 * folder: the vault's password and this computer's name here, the folder
 * in Rust's native chooser.
 */
export function joinForm(onJoined: (status: VaultStatus) => Promise<void>): HTMLElement {
  const password = textField({ label: "The vault’s password", type: "password", testid: "join-password", attrs: { autocomplete: "current-password" } });
  const name = textField({
    label: "This computer’s name for the other devices",
    hint: "Leave it empty to use this computer’s host name.",
    testid: "join-name",
    attrs: { autocomplete: "off", spellcheck: "false", maxlength: "64" },
  });
  const error = formError("join-error");
  const submit = el("button", { type: "submit", class: "primary", "data-testid": "join-sync" }, "Choose the sync folder and join…");
  const form = el(
    "form",
    { class: "card", novalidate: "", "aria-label": "Join a synced vault", "data-testid": "join-form" },
    el(
      "p",
      { class: "field-hint" },
      "On another computer, turn sync on in Tessera’s Settings (or run tessera sync enable) with a folder your sync tool carries here. " +
        "Then pick that folder: the vault’s password opens its copy there.",
    ),
    password.wrap,
    name.wrap,
    error,
    submit,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    error.textContent = "";
    if (!password.show(validatePassword(password.input.value))) {
      password.input.focus();
      return;
    }
    void busy(form, async () => {
      try {
        const status = await api.joinSync(password.input.value, name.input.value.trim() || null);
        if (status.unlocked) {
          password.input.value = "";
          await onJoined(status);
        }
      } catch (e) {
        error.textContent = api.errorText(e);
      }
    });
  });
  return form;
}
