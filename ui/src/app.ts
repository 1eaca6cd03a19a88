// The app's controller: which screen shows, the once-a-second tick that
// fetches codes from Rust, locking (button, Ctrl+L, idle), and the toast
// that confirms a copy. Screens are built by modules under views/.
import * as api from "./api";
import type { Account, Codes, Settings, VaultStatus } from "./api";
import { el } from "./dom";
import { delayToNextSecond } from "./lib/countdown";
import { accountsScreen } from "./views/accounts";
import { addScreen } from "./views/add";
import { addedScreen } from "./views/added";
import { detailsScreen } from "./views/details";
import { recoveryListScreen } from "./views/recovery";
import type { App as AppApi, LockReason, Screen, SettingsSection } from "./views/screen";
import { settingsScreen } from "./views/settings";
import { setupScreen } from "./views/setup";
import { asksForShortcuts, shortcutsScreen } from "./views/shortcuts";
import { problemScreen, unlockScreen } from "./views/unlock";
import { closePopupMenus, Tooltips } from "./views/widgets";
import { loadTheme } from "./theme";

/** Activity is reported to Rust at most this often (the idle lock is in minutes). */
const ACTIVITY_REPORT_MS = 5000;

/** The app the views see (views/screen.ts), built on the page's root node. */
export class App implements AppApi {
  status: VaultStatus | null = null;
  settings: Settings | null = null;
  accounts: Account[] = [];
  /** The latest codes, so a new screen can draw at once. */
  lastCodes: Codes | null = null;
  private revision = -1;
  private screen: Screen | null = null;
  private readonly main: HTMLElement;
  private readonly toastNode: HTMLElement;
  private toastTimer: number | undefined;
  private tickGeneration = 0;
  private lastReport = 0;
  /** Whether the vault is open in this window. */
  private open = false;
  /** The page's tooltips, which go with the screen they belong to. */
  private readonly tooltips = new Tooltips();

  constructor(root: HTMLElement) {
    this.main = el("div", { class: "screen-host" });
    this.toastNode = el("div", { class: "toast", role: "status", "aria-live": "polite", "data-testid": "toast" });
    const footer = el("footer", { class: "footer", "data-testid": "footer" });
    root.replaceChildren(this.main, this.toastNode, footer);
    api
      .appInfo()
      .then((info) => footer.replaceChildren(`${info.name} ${info.version}`))
      .catch(() => footer.replaceChildren("Tessera"));
    this.listen();
    // Light or dark before any vault opens: the unlock screen too.
    void loadTheme();
  }

  /** Picks the first screen from the vault's status. */
  async start(): Promise<void> {
    let status: VaultStatus;
    try {
      status = await api.vaultStatus();
    } catch (error) {
      this.show(problemScreen(this, api.errorText(error)));
      return;
    }
    this.status = status;
    if (status.path === null || status.error !== null) {
      this.show(problemScreen(this, status.error ?? "The vault's location is unknown."));
    } else if (!status.exists) {
      this.show(setupScreen(this, status));
    } else if (status.unlocked) {
      await this.unlocked(status);
    } else {
      // At start the keyring is tried at once: that is what it is for.
      this.show(unlockScreen(this, status, { tryKeyring: true, reason: null }));
    }
  }

  /** Shows a screen, focusing its main control. */
  show(screen: Screen): void {
    // A menu or tooltip of the screen left goes with it.
    closePopupMenus();
    this.tooltips.hide();
    this.screen = screen;
    this.main.replaceChildren(screen.root);
    if (this.lastCodes && screen.tick) {
      screen.tick(this.lastCodes);
    }
    (screen.focus ?? screen.root.querySelector<HTMLElement>("h1"))?.focus();
  }

  /** Called once the vault is open: loads settings and accounts, starts ticking. */
  async unlocked(status: VaultStatus): Promise<void> {
    this.status = status;
    this.open = true;
    this.settings = await api.getSettings();
    await this.refreshAccounts();
    this.startTicking();
    this.goAccounts();
  }

  /** Fetches the account list again. */
  async refreshAccounts(): Promise<void> {
    const list = await api.listAccounts();
    this.accounts = list.accounts;
    this.revision = list.revision;
    this.screen?.accountsChanged?.();
  }

  /** Locks now and shows the unlock screen. */
  async lockNow(reason: LockReason): Promise<void> {
    this.stopTicking();
    let status = this.status;
    try {
      status = await api.lock();
    } catch {
      // Locking in Rust cannot fail short of a crash; show the screen anyway.
    }
    this.locked(status, reason);
  }

  private locked(status: VaultStatus | null, reason: LockReason): void {
    this.stopTicking();
    this.open = false;
    // Nothing of the vault stays on screen: open dialogs close too.
    for (const dialog of document.querySelectorAll("dialog")) {
      dialog.close();
    }
    this.accounts = [];
    this.lastCodes = null;
    this.revision = -1;
    const current = status ?? this.status;
    if (current) {
      this.status = { ...current, unlocked: false };
      // After a lock the keyring is not tried by itself: that would undo it.
      this.show(unlockScreen(this, this.status, { tryKeyring: false, reason }));
    }
  }

  goAccounts(): void {
    this.show(accountsScreen(this));
  }

  goAdd(): void {
    this.show(addScreen(this));
  }

  goAdded(added: api.Added): void {
    this.show(addedScreen(this, added));
  }

  goDetails(id: string): void {
    const account = this.accounts.find((a) => a.id === id);
    if (account) {
      this.show(detailsScreen(this, account));
    }
  }

  goRecovery(): void {
    this.show(recoveryListScreen(this));
  }

  goSettings(section?: SettingsSection): void {
    this.show(settingsScreen(this, section));
  }

  /** A brief message in the status line (copy confirmations, errors). */
  toast(message: string, kind: "info" | "error" = "info"): void {
    this.toastNode.textContent = message;
    this.toastNode.classList.toggle("error", kind === "error");
    this.toastNode.classList.add("shown");
    window.clearTimeout(this.toastTimer);
    this.toastTimer = window.setTimeout(() => {
      this.toastNode.classList.remove("shown");
      this.toastNode.textContent = "";
    }, 3500);
  }

  /** Copies an account's code (Rust computes and clears it) and confirms. */
  async copy(account: Account): Promise<boolean> {
    try {
      const copied = await api.copyCode(account.id);
      const clears = copied.clearsInSeconds === null ? "" : `; clears in ${copied.clearsInSeconds} s`;
      this.toast(`Copied the code of ${account.issuer || account.name}${clears}`);
      return true;
    } catch (error) {
      this.toast(api.errorText(error), "error");
      return false;
    }
  }

  private startTicking(): void {
    this.tickGeneration += 1;
    const generation = this.tickGeneration;
    const tick = async (): Promise<void> => {
      if (generation !== this.tickGeneration) {
        return;
      }
      let delay = 1000;
      try {
        const codes = await api.codes();
        if (generation !== this.tickGeneration) {
          return;
        }
        if (!codes.unlocked) {
          // Locked by Rust: idle, a system lock or suspend.
          this.locked(this.status, codes.lockReason ?? "system");
          return;
        }
        if (codes.revision !== this.revision) {
          await this.refreshAccounts();
        }
        this.lastCodes = codes;
        this.screen?.tick?.(codes);
        delay = delayToNextSecond(codes.nowMs);
      } catch {
        // A failed tick is retried on the next one.
      }
      window.setTimeout(() => void tick(), delay);
    };
    void tick();
  }

  private stopTicking(): void {
    this.tickGeneration += 1;
  }

  /**
   * F1 (or ? outside a text field) opens the shortcuts page; Escape and
   * Alt+Left go back wherever the screen has a Back button. True if used.
   * An open dialog keeps its own Escape.
   */
  private navigationKey(event: KeyboardEvent, typing: boolean): boolean {
    if (document.querySelector("dialog[open]") !== null) {
      return false;
    }
    if (asksForShortcuts(event, typing)) {
      if (this.screen?.root.dataset.testid !== "shortcuts") {
        this.showShortcuts();
      }
      return true;
    }
    const plain = !event.ctrlKey && !event.altKey && !event.metaKey && !event.shiftKey;
    const back = (event.key === "Escape" && plain) || (event.key === "ArrowLeft" && event.altKey && !event.ctrlKey && !event.metaKey);
    if (!back) {
      return false;
    }
    const button = this.main.querySelector<HTMLButtonElement>("[data-testid=back]");
    if (button === null || button.disabled || button.closest("[hidden]") !== null) {
      return false;
    }
    button.click();
    return true;
  }

  /** The shortcuts page, whose Back returns to the screen it covers. */
  private showShortcuts(): void {
    const previous = this.screen;
    this.show(
      shortcutsScreen(() => {
        if (previous === null) {
          return;
        }
        this.show(previous);
        previous.accountsChanged?.();
      }),
    );
  }

  /** Global keys and activity tracking. */
  private listen(): void {
    // WebKit's own menu (Back, Forward, Reload) is a browser's: account
    // rows show the app's (account-row.ts), text fields keep their editing
    // menu (src-tauri/webview.rs strips it to that), elsewhere none.
    window.addEventListener("contextmenu", (event) => {
      const target = event.target;
      if (!(target instanceof Element) || target.closest("input, textarea, [contenteditable]") === null) {
        event.preventDefault();
      }
    });
    // The idle auto-lock lives in Rust (it must work even if this page's
    // timers sleep); the page only reports that the user is there.
    const active = (): void => {
      const now = Date.now();
      if (this.open && now - this.lastReport >= ACTIVITY_REPORT_MS) {
        this.lastReport = now;
        api.activity().catch(() => undefined);
      }
    };
    for (const type of ["pointerdown", "pointermove", "wheel", "keydown", "touchstart"]) {
      window.addEventListener(type, active, { passive: true, capture: true });
    }
    window.addEventListener("keydown", (event) => {
      if (event.ctrlKey && !event.altKey && !event.metaKey && event.key.toLowerCase() === "l") {
        event.preventDefault();
        if (this.open) {
          void this.lockNow("user");
        }
        return;
      }
      const target = event.target as HTMLElement | null;
      const typing = target !== null && target.closest("input, textarea, select, [contenteditable]") !== null;
      if (!event.defaultPrevented && this.navigationKey(event, typing)) {
        event.preventDefault();
        return;
      }
      if (!typing && !event.defaultPrevented && this.screen?.key?.(event)) {
        event.preventDefault();
      }
    });
  }
}
