import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import * as api from "../api";
import type { ScanResult } from "../api";
import { cameraLabels, cameraPanel, greyToRgba, NO_CAMERA, parsePreview } from "./camera";

// The panel talks to Rust only through the api module; here it talks to stand-ins.
vi.mock("../api", () => ({
  listCameras: vi.fn(),
  startCamera: vi.fn(),
  stopCamera: vi.fn(),
  cameraPreviewDrawn: vi.fn(),
  errorText: (e: unknown) => String(e),
}));

/** A preview as Rust frames it: width, height (little-endian u32), pixels. */
function message(width: number, height: number, pixels: number[]): ArrayBuffer {
  const buffer = new ArrayBuffer(8 + pixels.length);
  const view = new DataView(buffer);
  view.setUint32(0, width, true);
  view.setUint32(4, height, true);
  new Uint8Array(buffer, 8).set(pixels);
  return buffer;
}

describe("camera previews", () => {
  it("reads the size and the grey pixels Rust sends", () => {
    const frame = parsePreview(message(3, 2, [1, 2, 3, 4, 5, 6]));
    expect(frame?.width).toBe(3);
    expect(frame?.height).toBe(2);
    expect([...(frame?.grey ?? [])]).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("refuses a preview whose size does not match its pixels", () => {
    expect(parsePreview(new ArrayBuffer(4))).toBeNull();
    expect(parsePreview(message(3, 2, [1, 2, 3, 4, 5]))).toBeNull();
    expect(parsePreview(message(3, 2, [1, 2, 3, 4, 5, 6, 7]))).toBeNull();
    expect(parsePreview(message(0, 2, []))).toBeNull();
    // A huge claimed size is refused before anything is allocated for it.
    expect(parsePreview(message(100_000, 100_000, [0]))).toBeNull();
  });

  it("spreads grey into opaque RGBA", () => {
    const rgba = new Uint8ClampedArray(8);
    greyToRgba(new Uint8Array([10, 200]), rgba);
    expect([...rgba]).toEqual([10, 10, 10, 255, 200, 200, 200, 255]);
  });
});

describe("the camera picker", () => {
  it("numbers cameras that share a name and names nameless ones", () => {
    const labels = cameraLabels([
      { index: 0, name: "USB Camera" },
      { index: 2, name: "Integrated Camera" },
      { index: 4, name: "USB Camera" },
      { index: 6, name: "" },
    ]);
    expect(labels).toEqual(["USB Camera (1)", "Integrated Camera", "USB Camera (2)", "Camera"]);
  });
});

describe("the camera panel", () => {
  const result: ScanResult = {
    found: [{ index: 0, issuer: "Webcam", name: "lena", kind: "totp", duplicate: false, recoveryCodes: 0 }],
    series: null,
    skipped: [],
    notes: [],
    recoveryServices: 0,
  };
  const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
  const byTestid = <E extends HTMLElement>(root: HTMLElement, testid: string): E => {
    const node = root.querySelector<E>(`[data-testid=${testid}]`);
    if (!node) {
      throw new Error(`no ${testid}`);
    }
    return node;
  };

  beforeEach(() => {
    vi.mocked(api.stopCamera).mockResolvedValue(null);
    vi.mocked(api.cameraPreviewDrawn).mockResolvedValue(null);
  });
  afterEach(() => {
    vi.clearAllMocks();
  });

  it("says so when there is no camera, and offers to look again", async () => {
    vi.mocked(api.listCameras).mockResolvedValue([]);
    const panel = cameraPanel({ show: vi.fn(), gone: new AbortController().signal });
    await settle();
    expect(byTestid(panel, "camera-status").textContent).toBe(NO_CAMERA);
    expect(byTestid(panel, "camera-select").closest<HTMLElement>(".field")?.hidden).toBe(true);
    expect(byTestid(panel, "camera-start").hidden).toBe(true);
    expect(byTestid(panel, "camera-look-again").hidden).toBe(false);
  });

  it("starts the picked camera, acknowledges previews, and hands a find on", async () => {
    vi.mocked(api.listCameras).mockResolvedValue([
      { index: 0, name: "Integrated Camera" },
      { index: 4294967295, name: "Recorded frames (test)" },
    ]);
    let onPreview: ((frame: ArrayBuffer) => void) | undefined;
    let onUpdate: ((update: api.CameraUpdate) => void) | undefined;
    vi.mocked(api.startCamera).mockImplementation((_index, preview, update) => {
      onPreview = preview;
      onUpdate = update;
      return Promise.resolve();
    });
    const show = vi.fn();
    const panel = cameraPanel({ show, gone: new AbortController().signal });
    await settle();
    const select = byTestid<HTMLSelectElement>(panel, "camera-select");
    expect(panel.querySelector(`label[for="${select.id}"]`)?.textContent).toBe("Camera");
    select.value = "4294967295";
    byTestid(panel, "camera-start").click();
    await settle();
    expect(vi.mocked(api.startCamera).mock.calls[0]?.[0]).toBe(4294967295);
    expect(panel.dataset.camera).toBe("on");
    expect(byTestid(panel, "camera-stop").hidden).toBe(false);
    // Every preview is acknowledged, drawn or not, so the next one comes.
    onPreview?.(message(2, 1, [0, 255]));
    expect(api.cameraPreviewDrawn).toHaveBeenCalledTimes(1);
    onUpdate?.({ kind: "note", message: "this QR code holds a link to example.com" });
    expect(byTestid(panel, "camera-status").textContent).toContain("example.com");
    onUpdate?.({ kind: "found", result });
    expect(show).toHaveBeenCalledWith(result);
    expect(panel.dataset.camera).toBe("off");
    expect(byTestid(panel, "camera-start").hidden).toBe(false);
  });

  it("shows why a camera cannot be used, and stops it when the panel goes", async () => {
    vi.mocked(api.listCameras).mockResolvedValue([{ index: 0, name: "USB Camera" }]);
    let onUpdate: ((update: api.CameraUpdate) => void) | undefined;
    vi.mocked(api.startCamera).mockImplementation((_index, _preview, update) => {
      onUpdate = update;
      return Promise.resolve();
    });
    const gone = new AbortController();
    const panel = cameraPanel({ show: vi.fn(), gone: gone.signal });
    await settle();
    byTestid(panel, "camera-start").click();
    await settle();
    onUpdate?.({ kind: "failed", message: "the camera is busy: another program is using it" });
    expect(byTestid(panel, "camera-error").textContent).toMatch(/busy/);
    expect(panel.dataset.camera).toBe("off");
    // Messages of a run that is over change nothing.
    const firstRun = onUpdate;
    byTestid(panel, "camera-start").click();
    await settle();
    firstRun?.({ kind: "ended", message: "old news" });
    expect(panel.dataset.camera).toBe("on");
    gone.abort();
    expect(api.stopCamera).toHaveBeenCalled();
    expect(panel.dataset.camera).toBe("off");
  });
});
