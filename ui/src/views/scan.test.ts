import { describe, expect, it } from "vitest";
import { imageProblem, offerText } from "./scan";

describe("scanning", () => {
  it("refuses a 200 MB file before reading it", () => {
    const huge = { name: "holiday.png", size: 200 * 1024 * 1024, type: "image/png" };
    expect(imageProblem(huge)).toBe("holiday.png is 200 MB; a picture of a QR code is at most 20 MB.");
    expect(imageProblem({ name: "qr.png", size: 20 * 1024 * 1024, type: "image/png" })).toBeNull();
    expect(imageProblem({ name: "notes.txt", size: 10, type: "text/plain" })).toBe("notes.txt is not an image.");
    expect(imageProblem({ name: "qr", size: 10, type: "" })).toBeNull();
  });

  it("offers the clipboard's accounts by name", () => {
    expect(offerText({ source: "link", accounts: ["GitHub (lena)"] })).toBe("Add the account on the clipboard? GitHub (lena)");
    expect(offerText({ source: "image", accounts: ["A (x)", "B (y)"] })).toBe("Add the 2 accounts in the QR code on the clipboard? A (x), B (y)");
  });
});
