#!/usr/bin/env python3
"""Pack rio-tiler's named colormaps into one binary file that cogtiler embeds.

Usage:
    python3 tools/gen_colormaps.py [--src ../shared/colormaps] \
        [--order ../shared/conformance/cases/colormaps.json] [--out src/render/colormaps.bin]

Input: a directory of NumPy `.npy` files, one per colormap, each a (256, 4) uint8 RGBA table
(rio-tiler 9.4's `rio_tiler/cmap_data`). Output layout (all little-endian):

    b"CMAPS\\x01"                      magic + format version
    u16 count
    count times:  u8 name_len, name (ASCII), 1024 bytes (256 x RGBA)

The entries are written in the order TiTiler 2.4 lists them on `/colorMaps` when `--order`
points to a recorded `/colorMaps` answer (rio-tiler lists them in the order its package
directory happened to be globbed, which no rule reproduces), any names missing from that
answer following in sorted order; without `--order` the names are sorted.

Colormap data: rio-tiler (BSD-3-Clause, Copyright (c) 2017 Mapbox / cogeotiff contributors),
derived from matplotlib (PSF-style matplotlib license) and cmocean (MIT); see
src/render/COLORMAPS_LICENSE.md. The numbers are colour tables, packed unchanged.
"""

import argparse
import json
import os
import struct
import sys

MAGIC = b"CMAPS\x01"


def read_npy_rgba(path):
    """Read a (256, 4) uint8 .npy without numpy (format 1.0/2.0, C order)."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:6] != b"\x93NUMPY":
        raise ValueError(f"{path}: not a .npy file")
    major = data[6]
    if major == 1:
        hlen = struct.unpack("<H", data[8:10])[0]
        start = 10
    else:
        hlen = struct.unpack("<I", data[8:12])[0]
        start = 12
    header = data[start:start + hlen].decode("latin-1")
    if "'|u1'" not in header or "(256, 4)" not in header or "True" in header:
        raise ValueError(f"{path}: expected a (256, 4) uint8 C-order array, got {header.strip()}")
    body = data[start + hlen:]
    if len(body) != 1024:
        raise ValueError(f"{path}: expected 1024 data bytes, got {len(body)}")
    return body


def find_shared(start, rel):
    """The first `shared/<rel>` found walking up from `start` (the repository may sit one or
    two levels below the directory holding `shared/`)."""
    d = start
    while True:
        cand = os.path.join(d, "shared", rel)
        if os.path.exists(cand):
            return cand
        parent = os.path.dirname(d)
        if parent == d:
            return os.path.join(start, "..", "shared", rel)
        d = parent


def main(argv=None):
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(here)
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--src", default=find_shared(repo, "colormaps"))
    p.add_argument("--order", default=None, help="recorded /colorMaps JSON case (listing order)")
    p.add_argument("--out", default=os.path.join(repo, "src", "render", "colormaps.bin"))
    args = p.parse_args(argv)

    names = sorted(f[:-4] for f in os.listdir(args.src) if f.endswith(".npy"))
    order = []
    if args.order:
        with open(args.order) as f:
            case = json.load(f)
        listing = case.get("expect", {}).get("json") or case
        order = [c["id"] for c in listing["colormaps"] if c["id"] in names]
    ordered = order + [n for n in names if n not in set(order)]

    out = bytearray(MAGIC)
    out += struct.pack("<H", len(ordered))
    for name in ordered:
        raw = name.encode("ascii")
        if not 0 < len(raw) < 256:
            raise ValueError(f"bad colormap name {name!r}")
        out += struct.pack("<B", len(raw)) + raw
        out += read_npy_rgba(os.path.join(args.src, name + ".npy"))
    with open(args.out, "wb") as f:
        f.write(out)
    print(f"wrote {len(ordered)} colormaps ({len(out)} bytes) to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
