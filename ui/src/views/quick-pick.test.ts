import { afterEach, describe, expect, it, vi } from "vitest";
import * as api from "../api";
import type { Account } from "../api";
import { testAccount } from "../lib/test-account";
import { quickPickMatches, SHIFT_RELEASE_WAIT_MS, startQuickPick } from "./quick-pick";

// The page talks to Rust only through the api module; here it talks to stand-ins.
vi.mock("../api", async (original) => ({
  ...(await original<typeof import("../api")>()),
  listAccounts: vi.fn(),
  quickPickReady: vi.fn(() => Promise.resolve({ typingProblem: null })),
  quickPickType: vi.fn(() => Promise.resolve(null)),
  currentTheme: vi.fn(() => Promise.reject(new Error("no theme here"))),
}));

function account(issuer: string, name: string, favourite = false): Account {
  return testAccount(issuer, name, { favourite });
}

describe("quickPickMatches", () => {
  const accounts = [account("Zürich Bank", "dave"), account("GitHub", "dave"), account("Gitea", "dave", true)];

  it("lists every account in list order before a search, favourites first", () => {
    expect(quickPickMatches(accounts, "").map((a) => a.issuer)).toEqual(["Gitea", "GitHub", "Zürich Bank"]);
  });

  it("finds by the main list's rules: every word, without accents", () => {
    expect(quickPickMatches(accounts, "git hub").map((a) => a.issuer)).toEqual(["GitHub"]);
    expect(quickPickMatches(accounts, "zurich").map((a) => a.issuer)).toEqual(["Zürich Bank"]);
    expect(quickPickMatches(accounts, "nothing")).toEqual([]);
  });

  it("shows at most eight matches", () => {
    const many = Array.from({ length: 20 }, (_, i) => account(`Service ${String(i).padStart(2, "0")}`, "me"));
    expect(quickPickMatches(many, "service")).toHaveLength(8);
  });
});

describe("Shift+Enter", () => {
  afterEach(() => {
    vi.useRealTimers();
    vi.clearAllMocks();
  });

  const key = (type: "keydown" | "keyup", init: KeyboardEventInit): void => {
    document.dispatchEvent(new KeyboardEvent(type, { bubbles: true, cancelable: true, ...init }));
  };

  /** The page, opened on one account and ready. */
  async function page(): Promise<HTMLElement> {
    vi.mocked(api.listAccounts).mockResolvedValue({ accounts: [account("GitHub", "dave")] } as Awaited<
      ReturnType<typeof api.listAccounts>
    >);
    const root = document.createElement("div");
    document.body.replaceChildren(root);
    startQuickPick(root);
    await vi.waitFor(() => expect(document.body.dataset.opened).toBeDefined());
    return root;
  }

  // A code typed while the user still holds Shift would come out as
  // "!@#$%^": on Wayland nothing but the page can tell Shift is down.
  it("types only once Shift is let go", async () => {
    await page();
    key("keydown", { key: "Shift", shiftKey: true });
    key("keydown", { key: "Enter", shiftKey: true });
    key("keyup", { key: "Enter", shiftKey: true });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(api.quickPickType).not.toHaveBeenCalled();
    key("keyup", { key: "Shift" });
    await vi.waitFor(() => expect(api.quickPickType).toHaveBeenCalledTimes(1));
  });

  it("types nothing and says why when Shift stays down", async () => {
    const root = await page();
    vi.useFakeTimers();
    key("keydown", { key: "Enter", shiftKey: true });
    await vi.advanceTimersByTimeAsync(SHIFT_RELEASE_WAIT_MS + 10);
    expect(api.quickPickType).not.toHaveBeenCalled();
    const note = root.querySelector("[data-testid=quick-pick-note]");
    expect(note?.textContent).toContain("Let go of Shift");
  });
});
