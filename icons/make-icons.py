#!/usr/bin/env python3
"""Draws Tessera's app icon (a mosaic of tiles on a rounded square) into
icons/ at the sizes the Tauri bundler wants. Pure Python: no image library
needed, so a fresh machine can regenerate the icons."""
import struct
import zlib
from pathlib import Path

BG = (27, 38, 59)
TILES = [(94, 129, 172), (129, 161, 193), (235, 203, 139),
         (129, 161, 193), (163, 190, 140), (94, 129, 172),
         (235, 203, 139), (94, 129, 172), (129, 161, 193)]


def pixel(x, y, n):
    u, v = (x + 0.5) / n, (y + 0.5) / n
    r = 0.18  # corner radius of the rounded square, as a fraction
    cx = min(max(u, r), 1 - r)
    cy = min(max(v, r), 1 - r)
    if (u - cx) ** 2 + (v - cy) ** 2 > r * r:
        return (0, 0, 0, 0)
    pad, gap = 0.16, 0.045
    cell = (1 - 2 * pad - 2 * gap) / 3
    for i in range(3):
        for j in range(3):
            x0 = pad + j * (cell + gap)
            y0 = pad + i * (cell + gap)
            if x0 <= u < x0 + cell and y0 <= v < y0 + cell:
                return TILES[i * 3 + j] + (255,)
    return BG + (255,)


def png(n):
    rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y, n)) for x in range(n)) for y in range(n))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", n, n, 8, 6, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b""))


out = Path(__file__).resolve().parent
out.mkdir(exist_ok=True)
for name, size in [("32x32.png", 32), ("128x128.png", 128), ("128x128@2x.png", 256), ("icon.png", 512)]:
    (out / name).write_bytes(png(size))
    print("wrote", out / name)
