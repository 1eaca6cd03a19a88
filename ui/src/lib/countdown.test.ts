import { describe, expect, it } from "vitest";
import { delayToNextSecond, fractionLeft, ringOffset, secondsLeft, showsNext } from "./countdown";

describe("countdown", () => {
  // A code valid from 60 to 90 (unix seconds).
  it("counts whole seconds up, as a countdown reads", () => {
    expect(secondsLeft(90, 60_000)).toBe(30);
    expect(secondsLeft(90, 60_001)).toBe(30);
    expect(secondsLeft(90, 60_999)).toBe(30);
    expect(secondsLeft(90, 61_000)).toBe(29);
    expect(secondsLeft(90, 89_001)).toBe(1);
    expect(secondsLeft(90, 90_000)).toBe(0);
    expect(secondsLeft(90, 95_000)).toBe(0);
  });

  it("draws the share of the period left", () => {
    expect(fractionLeft(60, 90, 60_000)).toBe(1);
    expect(fractionLeft(60, 90, 75_000)).toBeCloseTo(0.5);
    expect(fractionLeft(60, 90, 90_000)).toBe(0);
    expect(fractionLeft(60, 90, 99_000)).toBe(0);
    expect(fractionLeft(60, 90, 10_000)).toBe(1);
    expect(fractionLeft(90, 90, 90_000)).toBe(0);
  });

  it("shows the next code only in the last five seconds", () => {
    expect(showsNext(90, 84_000)).toBe(false);
    expect(showsNext(90, 84_001)).toBe(false);
    expect(showsNext(90, 85_000)).toBe(true);
    expect(showsNext(90, 89_999)).toBe(true);
  });

  it("turns a fraction into the ring's dash offset", () => {
    expect(ringOffset(100, 1)).toBe(0);
    expect(ringOffset(100, 0.25)).toBe(75);
    expect(ringOffset(100, 0)).toBe(100);
  });

  it("ticks just after each whole second", () => {
    expect(delayToNextSecond(60_000, 15)).toBe(1015);
    expect(delayToNextSecond(60_990, 15)).toBe(25);
    expect(delayToNextSecond(60_500, 0)).toBe(500);
  });
});
