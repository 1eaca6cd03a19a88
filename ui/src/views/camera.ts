// Scanning with the webcam, part of the scan section of the add screen.
// Rust opens the camera and decodes its frames (the webview's own camera
// access is unreliable on Linux); this panel picks the camera, draws the
// small grey previews Rust streams, and hands a find to the scan section,
// which lists it like any other scan's. The camera is stopped when the
// panel leaves the page; Rust also stops it when the vault locks.
import * as api from "../api";
import type { Camera, CameraUpdate, ScanResult } from "../api";
import { el, uniqueId } from "../dom";
import { formError } from "./widgets";

/** Said when the system reports no camera. */
export const NO_CAMERA =
  "No camera found. Connect a webcam and choose Look again, or scan the screen or an image instead.";

/** A preview frame: its size and one byte of grey per pixel. */
export interface PreviewFrame {
  width: number;
  height: number;
  grey: Uint8Array;
}

/** The largest preview side accepted, far above what Rust sends (480 wide). */
const MAX_PREVIEW_SIDE = 4096;

/**
 * Reads a preview as Rust sends it: width and height as little-endian
 * 32-bit numbers, then the grey pixels row by row. Null when malformed.
 */
export function parsePreview(buffer: ArrayBuffer): PreviewFrame | null {
  if (buffer.byteLength < 8) {
    return null;
  }
  const view = new DataView(buffer);
  const width = view.getUint32(0, true);
  const height = view.getUint32(4, true);
  if (width === 0 || height === 0 || width > MAX_PREVIEW_SIDE || height > MAX_PREVIEW_SIDE) {
    return null;
  }
  if (buffer.byteLength !== 8 + width * height) {
    return null;
  }
  return { width, height, grey: new Uint8Array(buffer, 8) };
}

/** Spreads grey pixels into RGBA (opaque), as canvas ImageData holds them. */
export function greyToRgba(grey: Uint8Array, rgba: Uint8ClampedArray): void {
  for (let i = 0, j = 0; i < grey.length; i += 1, j += 4) {
    const value = grey[i] ?? 0;
    rgba[j] = value;
    rgba[j + 1] = value;
    rgba[j + 2] = value;
    rgba[j + 3] = 255;
  }
}

/** The picker's labels: the system's names, numbered where two are alike. */
export function cameraLabels(cameras: Camera[]): string[] {
  const counts = new Map<string, number>();
  for (const camera of cameras) {
    counts.set(camera.name, (counts.get(camera.name) ?? 0) + 1);
  }
  const seen = new Map<string, number>();
  return cameras.map((camera) => {
    const name = camera.name.trim() === "" ? "Camera" : camera.name;
    if ((counts.get(camera.name) ?? 0) < 2) {
      return name;
    }
    const nth = (seen.get(camera.name) ?? 0) + 1;
    seen.set(camera.name, nth);
    return `${name} (${nth})`;
  });
}

/** Where the camera scan stands, as the panel shows it. */
type CameraState = "off" | "starting" | "on";

/** What the panel needs from the scan section around it. */
export interface CameraHooks {
  /** Shows what scans found so far. */
  show(result: ScanResult): void;
  /** Fires when the panel leaves the page. */
  gone: AbortSignal;
}

/** The webcam part of the scan section. */
export function cameraPanel(hooks: CameraHooks): HTMLElement {
  const selectId = uniqueId("camera");
  const select = el("select", { id: selectId, "data-testid": "camera-select" });
  const picker = el("div", { class: "field" }, el("label", { for: selectId }, "Camera"), select);
  const start = el("button", { type: "button", "data-testid": "camera-start" }, "Start the camera");
  const stop = el("button", { type: "button", "data-testid": "camera-stop" }, "Stop the camera");
  const again = el("button", { type: "button", "data-testid": "camera-look-again" }, "Look again");
  const status = el("p", { class: "muted", role: "status", "data-testid": "camera-status" });
  const error = formError("camera-error");
  const canvas = el("canvas", {
    class: "camera-preview",
    role: "img",
    "aria-label": "What the camera sees",
    "data-testid": "camera-preview",
    "data-frames": "0",
  });
  canvas.hidden = true;
  const panel = el(
    "div",
    { class: "camera", "data-testid": "camera", "data-camera": "off" },
    el("p", { class: "field-hint" }, "Or hold a printout or a phone showing the code up to the webcam."),
    picker,
    el("div", { class: "actions start" }, start, stop, again),
    status,
    error,
    canvas,
  );

  let state: CameraState = "off";
  // Each start is a run; messages of an earlier run are ignored.
  let run = 0;
  let frames = 0;
  let image: ImageData | null = null;

  const setState = (next: CameraState): void => {
    state = next;
    panel.dataset.camera = next;
    start.hidden = next !== "off";
    stop.hidden = next === "off";
  };

  const draw = (buffer: ArrayBuffer): void => {
    const frame = parsePreview(buffer);
    const context = canvas.getContext("2d");
    if (!frame || !context) {
      return;
    }
    if (!image || image.width !== frame.width || image.height !== frame.height) {
      canvas.width = frame.width;
      canvas.height = frame.height;
      image = context.createImageData(frame.width, frame.height);
    }
    greyToRgba(frame.grey, image.data);
    context.putImageData(image, 0, 0);
    canvas.hidden = false;
    frames += 1;
    canvas.dataset.frames = String(frames);
  };

  const onUpdate = (mine: number, update: CameraUpdate): void => {
    if (mine !== run) {
      return;
    }
    switch (update.kind) {
      case "note":
        status.textContent = update.message;
        return;
      case "found":
        setState("off");
        status.textContent = "Found a code; the camera is off.";
        hooks.show(update.result);
        return;
      case "failed":
        setState("off");
        status.textContent = "";
        error.textContent = update.message;
        return;
      case "ended":
        setState("off");
        status.textContent = update.message;
        return;
    }
  };

  start.addEventListener("click", () => {
    run += 1;
    const mine = run;
    error.textContent = "";
    status.textContent = "Starting the camera…";
    setState("starting");
    const onPreview = (buffer: ArrayBuffer): void => {
      try {
        if (mine === run) {
          draw(buffer);
        }
      } finally {
        void api.cameraPreviewDrawn().catch(() => undefined);
      }
    };
    api
      .startCamera(Number(select.value), onPreview, (update) => onUpdate(mine, update))
      .then(() => {
        // A quick find may already have turned it off again.
        if (mine === run && state === "starting") {
          setState("on");
          status.textContent = "Hold the QR code up to the camera, steady and in the light.";
        }
      })
      .catch((e: unknown) => {
        if (mine === run) {
          setState("off");
          status.textContent = "";
          error.textContent = api.errorText(e);
        }
      });
  });

  stop.addEventListener("click", () => {
    run += 1;
    setState("off");
    status.textContent = "Stopping the camera…";
    api
      .stopCamera()
      .then(() => {
        status.textContent = "The camera is off.";
      })
      .catch((e: unknown) => {
        error.textContent = api.errorText(e);
      });
  });

  const look = (): void => {
    error.textContent = "";
    status.textContent = "Looking for cameras…";
    picker.hidden = true;
    start.hidden = true;
    stop.hidden = true;
    again.hidden = true;
    api
      .listCameras()
      .then((cameras) => {
        const labels = cameraLabels(cameras);
        select.replaceChildren(
          ...cameras.map((camera, i) => el("option", { value: String(camera.index) }, labels[i] ?? camera.name)),
        );
        if (cameras.length === 0) {
          status.textContent = NO_CAMERA;
          again.hidden = false;
          return;
        }
        status.textContent = "";
        picker.hidden = false;
        setState("off");
      })
      .catch((e: unknown) => {
        status.textContent = "";
        error.textContent = api.errorText(e);
        again.hidden = false;
      });
  };
  again.addEventListener("click", look);

  // Leaving the screen releases the camera (a no-op when none runs).
  hooks.gone.addEventListener("abort", () => {
    run += 1;
    setState("off");
    void api.stopCamera().catch(() => undefined);
  });

  setState("off");
  look();
  return panel;
}
