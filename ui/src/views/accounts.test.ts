import { describe, expect, it } from "vitest";
import { emptyState } from "./accounts";

describe("emptyState", () => {
  it("is a labelled region that says there are no accounts", () => {
    const view = emptyState();
    expect(view.dataset.testid).toBe("empty-state");
    const title = view.querySelector("h1");
    expect(title?.textContent).toBe("No accounts yet");
    expect(view.getAttribute("aria-labelledby")).toBe(title?.id);
  });
});
