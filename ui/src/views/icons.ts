// Line icons for the toolbar and buttons, drawn here (no icon font, no
// remote content). Each is decorative: the button carries the label.
import { svg } from "../dom";

const PATHS = {
  plus: ["M12 5v14", "M5 12h14"],
  lock: ["M6 11h12a1 1 0 0 1 1 1v8a1 1 0 0 1-1 1H6a1 1 0 0 1-1-1v-8a1 1 0 0 1 1-1z", "M8 11V8a4 4 0 0 1 8 0v3"],
  settings: ["M4 7h9", "M17 7h3", "M4 17h3", "M11 17h9", "M15 5v4", "M9 15v4"],
  back: ["M15 18l-6-6 6-6"],
  more: ["M5 12h.01", "M12 12h.01", "M19 12h.01"],
  star: ["M12 3l2.7 5.6 6.1.9-4.4 4.3 1 6.1L12 17l-5.4 2.9 1-6.1-4.4-4.3 6.1-.9z"],
  next: ["M20 12a8 8 0 1 1-2.3-5.7", "M20 4v4.5h-4.5"],
  copy: ["M9 9h10v11H9z", "M5 15V4h10"],
  key: ["M14.5 9.5a4 4 0 1 0-3.9 3.9", "M10.6 13.4L4 20v-3h3v-3h3"],
  qr: ["M4 4h6v6H4z", "M14 4h6v6h-6z", "M4 14h6v6H4z", "M14 14h2v2h-2z", "M18 18h2v2h-2z", "M14 18h2", "M18 14h2"],
} as const;

/** The icons there are. */
export type IconName = keyof typeof PATHS;

/** A decorative 20 px line icon. */
export function icon(name: IconName): SVGSVGElement {
  return svg(
    "svg",
    {
      class: `icon icon-${name}`,
      viewBox: "0 0 24 24",
      width: "20",
      height: "20",
      "aria-hidden": "true",
      focusable: "false",
    },
    ...PATHS[name].map((d) => svg("path", { d })),
  );
}
