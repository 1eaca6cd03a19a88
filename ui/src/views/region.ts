// Picking the region of a QR code on a capture of the screen: Rust keeps
// the capture at full resolution and sends a scaled-down picture; the user
// drags a rectangle over it (or moves it with the arrow keys), and Rust
// reads that part of the full capture. Only fractions of the picture go
// back, so the preview's size does not matter.
import { el } from "../dom";

/** A rectangle as fractions (0–1) of the picture's width and height. */
export interface Fraction {
  x: number;
  y: number;
  width: number;
  height: number;
}

const clamp = (v: number): number => Math.min(1, Math.max(0, v));

/**
 * The rectangle between two points of a drag (in pixels of a picture
 * drawn at `width` × `height`), as fractions, clipped to the picture.
 */
export function dragRegion(
  from: { x: number; y: number },
  to: { x: number; y: number },
  size: { width: number; height: number },
): Fraction {
  const left = clamp(Math.min(from.x, to.x) / size.width);
  const right = clamp(Math.max(from.x, to.x) / size.width);
  const top = clamp(Math.min(from.y, to.y) / size.height);
  const bottom = clamp(Math.max(from.y, to.y) / size.height);
  return { x: left, y: top, width: right - left, height: bottom - top };
}

/** Whether a rectangle is big enough to hold a code (a few pixels of the preview are a slip). */
export function usable(region: Fraction | null): region is Fraction {
  return region !== null && region.width > 0.005 && region.height > 0.005;
}

/** Moves (or with `grow`, resizes) a rectangle by a step, kept inside the picture. */
export function nudge(region: Fraction, dx: number, dy: number, grow: boolean): Fraction {
  if (grow) {
    const width = Math.min(1 - region.x, Math.max(0.01, region.width + dx));
    const height = Math.min(1 - region.y, Math.max(0.01, region.height + dy));
    return { ...region, width, height };
  }
  return {
    ...region,
    x: Math.min(1 - region.width, clamp(region.x + dx)),
    y: Math.min(1 - region.height, clamp(region.y + dy)),
  };
}

/**
 * The picker: the capture with a rectangle to drag, and the buttons to
 * scan it or give up. `scan` gets the rectangle; `cancel` closes.
 */
export function regionPicker(
  preview: string,
  scan: (region: Fraction) => void,
  cancel: () => void,
): HTMLElement {
  const image = el("img", {
    src: preview,
    alt: "Your screen, as captured. Drag over the QR code.",
    class: "region-image",
    draggable: "false",
    "data-testid": "region-image",
  });
  const box = el("div", { class: "region-box", hidden: "", "data-testid": "region-box" });
  const frame = el("div", { class: "region-frame", tabindex: "0", "aria-label": "Capture: drag over the QR code, or use the arrow keys (Shift to resize)" }, image, box);
  const scanButton = el("button", { type: "button", class: "primary", disabled: "", "data-testid": "region-scan" }, "Scan the region");
  const cancelButton = el("button", { type: "button", "data-testid": "region-cancel" }, "Cancel");
  let region: Fraction | null = null;

  const draw = (): void => {
    scanButton.disabled = !usable(region);
    if (region === null) {
      box.hidden = true;
      return;
    }
    box.hidden = false;
    box.style.left = `${region.x * 100}%`;
    box.style.top = `${region.y * 100}%`;
    box.style.width = `${region.width * 100}%`;
    box.style.height = `${region.height * 100}%`;
  };
  const point = (event: PointerEvent): { x: number; y: number } => {
    const rect = image.getBoundingClientRect();
    return { x: event.clientX - rect.left, y: event.clientY - rect.top };
  };
  const size = (): { width: number; height: number } => {
    const rect = image.getBoundingClientRect();
    return { width: Math.max(1, rect.width), height: Math.max(1, rect.height) };
  };
  let start: { x: number; y: number } | null = null;
  frame.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    start = point(event);
    frame.setPointerCapture?.(event.pointerId);
    region = dragRegion(start, start, size());
    draw();
  });
  frame.addEventListener("pointermove", (event) => {
    if (start) {
      region = dragRegion(start, point(event), size());
      draw();
    }
  });
  const end = (event: PointerEvent): void => {
    if (start) {
      region = dragRegion(start, point(event), size());
      start = null;
      draw();
    }
  };
  frame.addEventListener("pointerup", end);
  frame.addEventListener("pointercancel", end);
  frame.addEventListener("keydown", (event) => {
    const steps: Record<string, [number, number]> = { ArrowLeft: [-0.02, 0], ArrowRight: [0.02, 0], ArrowUp: [0, -0.02], ArrowDown: [0, 0.02] };
    const step = steps[event.key];
    if (step) {
      event.preventDefault();
      region = nudge(region ?? { x: 0.4, y: 0.4, width: 0.2, height: 0.2 }, step[0], step[1], event.shiftKey);
      draw();
    } else if (event.key === "Enter" && usable(region)) {
      event.preventDefault();
      scan(region);
    }
  });
  scanButton.addEventListener("click", () => {
    if (usable(region)) {
      scan(region);
    }
  });
  cancelButton.addEventListener("click", cancel);
  return el(
    "div",
    { class: "region", "data-testid": "region" },
    el("p", { class: "field-hint" }, "Drag over the QR code, then scan that part of your screen."),
    frame,
    el("div", { class: "actions start" }, scanButton, cancelButton),
  );
}
