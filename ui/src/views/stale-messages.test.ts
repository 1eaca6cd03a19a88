import { describe, expect, it, vi } from "vitest";
import type { ScanResult, VaultStatus } from "../api";
import type { App } from "./screen";

vi.mock("../api", async (original) => ({
  ...(await original<typeof import("../api")>()),
  scanReset: vi.fn(() => Promise.resolve(undefined)),
  scanScreen: vi.fn(),
  listCameras: vi.fn(() => Promise.resolve([])),
  clipboardOffer: vi.fn(() => Promise.resolve(null)),
  watchClipboard: vi.fn(() => Promise.resolve(null)),
}));

const api = await import("../api");
const { setupScreen } = await import("./setup");
const { scanSection } = await import("./scan");

const app = { toast: vi.fn(), accounts: [], settings: null, status: null, lastCodes: null } as unknown as App;

function byTestid<T extends HTMLElement>(root: ParentNode, testid: string): T {
  const node = root.querySelector<T>(`[data-testid=${testid}]`);
  if (!node) {
    throw new Error(`no ${testid}`);
  }
  return node;
}

describe("stale messages", () => {
  it("regression: \"Choose a password…\" goes once a way to open is ticked again", () => {
    const status = { path: "/tmp/v", exists: false, unlocked: false, error: null } as unknown as VaultStatus;
    const screen = setupScreen(app, status);
    document.body.replaceChildren(screen.root);
    const password = byTestid<HTMLInputElement>(screen.root, "use-password");
    const keyring = byTestid<HTMLInputElement>(screen.root, "use-keyring");
    password.click();
    keyring.click();
    byTestid<HTMLFormElement>(screen.root, "setup-form").requestSubmit();
    const error = byTestid(screen.root, "setup-error");
    expect(error.textContent).toMatch(/^Choose a password/);
    keyring.click();
    expect(error.textContent).toBe("");
  });

  it("regression: a new scan's error does not sit under an earlier \"Found 1 account\"", async () => {
    const found: ScanResult = {
      found: [{ index: 0, issuer: "Example", name: "alice", duplicate: false, recoveryCodes: 0 }],
      series: null,
      skipped: [],
      notes: [],
      recoveryServices: 0,
    } as unknown as ScanResult;
    vi.mocked(api.scanScreen).mockResolvedValueOnce(found).mockRejectedValueOnce({ kind: "invalid", message: "no QR code on the screen" });
    const section = scanSection(app);
    document.body.replaceChildren(section);
    const results = byTestid(section, "scan-results");
    byTestid<HTMLButtonElement>(section, "scan-screen").click();
    await vi.waitFor(() => expect(results.textContent).toMatch(/Found 1 account/));
    byTestid<HTMLButtonElement>(section, "scan-screen").click();
    await vi.waitFor(() => expect(byTestid(section, "scan-error").textContent).toMatch(/no QR code/));
    expect(results.textContent).toBe("");
    expect(byTestid(section, "scan-status").textContent).not.toMatch(/Found/);
  });
});
