// The countdown of a time-based code: how long it has left and how much of
// the ring to draw. Times come from Rust (its clock plus the user's offset);
// these functions only do the arithmetic, so they are easy to test.

/** Milliseconds until the code stops being valid, never negative. */
export function remainingMs(validUntil: number, nowMs: number): number {
  return Math.max(0, validUntil * 1000 - nowMs);
}

/** Whole seconds left as people read a countdown: 29.2 s left shows "30". */
export function secondsLeft(validUntil: number, nowMs: number): number {
  return Math.ceil(remainingMs(validUntil, nowMs) / 1000);
}

/** Share of the period left, from 1 (fresh) to 0 (expired). */
export function fractionLeft(validFrom: number, validUntil: number, nowMs: number): number {
  const periodMs = (validUntil - validFrom) * 1000;
  if (periodMs <= 0) {
    return 0;
  }
  return Math.min(1, Math.max(0, remainingMs(validUntil, nowMs) / periodMs));
}

/** In the last seconds of a period the next code is shown beside the current one. */
export const NEXT_CODE_SECONDS = 5;

/** Whether to show the next code at this moment. */
export function showsNext(validUntil: number, nowMs: number): boolean {
  return secondsLeft(validUntil, nowMs) <= NEXT_CODE_SECONDS;
}

/** Under this many seconds the countdown turns to its warning colour. */
export const LOW_SECONDS = 5;

/** The SVG ring's dash offset for a circle of this circumference. */
export function ringOffset(circumference: number, fraction: number): number {
  return circumference * (1 - fraction);
}

/** Milliseconds to wait so the next tick lands just after the next whole second. */
export function delayToNextSecond(nowMs: number, slackMs = 15): number {
  return 1000 - (nowMs % 1000) + slackMs;
}
