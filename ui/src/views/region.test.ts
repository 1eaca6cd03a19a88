import { describe, expect, it } from "vitest";
import { dragRegion, nudge, usable } from "./region";

describe("picking a region", () => {
  const size = { width: 400, height: 200 };

  it("turns a drag in any direction into fractions of the picture", () => {
    expect(dragRegion({ x: 100, y: 50 }, { x: 300, y: 150 }, size)).toEqual({ x: 0.25, y: 0.25, width: 0.5, height: 0.5 });
    // Dragged up and left: the same rectangle.
    expect(dragRegion({ x: 300, y: 150 }, { x: 100, y: 50 }, size)).toEqual({ x: 0.25, y: 0.25, width: 0.5, height: 0.5 });
  });

  it("clips a drag that leaves the picture", () => {
    expect(dragRegion({ x: 200, y: 100 }, { x: 900, y: -40 }, size)).toEqual({ x: 0.5, y: 0, width: 0.5, height: 0.5 });
  });

  it("takes a click for a slip, not a region", () => {
    expect(usable(dragRegion({ x: 10, y: 10 }, { x: 10, y: 10 }, size))).toBe(false);
    expect(usable(null)).toBe(false);
    expect(usable({ x: 0, y: 0, width: 0.1, height: 0.1 })).toBe(true);
  });

  it("moves and resizes with the keys inside the picture", () => {
    const moved = nudge({ x: 0.9, y: 0.1, width: 0.2, height: 0.2 }, 0.02, -0.2, false);
    expect(moved.x).toBeCloseTo(0.8);
    expect(moved.y).toBe(0);
    const grown = nudge({ x: 0.7, y: 0.1, width: 0.2, height: 0.2 }, 0.5, 0.02, true);
    expect(grown.width).toBeCloseTo(0.3);
    expect(grown.height).toBeCloseTo(0.22);
  });
});
