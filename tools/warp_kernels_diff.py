#!/usr/bin/env python3
"""Differential check of the warp kernel (`reproject=`) against live rio-tiler.

Generates small seeded COGs in CRSs other than the tile's (EPSG:4326, UTM, polar stereographic,
LAEA; uint8 / int16 / float32; no mask, nodata, NaN, internal mask or alpha; with and without
overviews), asks rio-tiler (`Reader(path).tile(..., reproject_method=k)`) and a running cogtiler
server (`.npy`) for the same WebMercatorQuad tiles with each warp kernel, and prints per-kernel
match rates: tiles matching exactly / within +-1, and the share of pixels. rio-tiler's answers are
cached beside the files, so a rerun after a rebuild only asks cogtiler. Run with the reference venv:

    /work/venv-diff/bin/python tools/warp_kernels_diff.py --server http://127.0.0.1:8931 [--files 30]
"""
import argparse
import io
import os
import random
import urllib.error
import urllib.parse
import urllib.request
import warnings
from collections import defaultdict

import numpy as np
import morecantile
import rasterio
from rasterio.io import MemoryFile
from rasterio.shutil import copy as rio_copy
from rasterio.transform import from_origin
from rio_tiler.io import Reader

warnings.filterwarnings("ignore")

KERNELS = ["nearest", "bilinear", "cubic", "cubic_spline", "lanczos", "average", "mode",
           "min", "max", "med", "q1", "q3", "sum", "rms"]

# (crs, x0 range, y0 range, pixel size range): the file's top-left corner and resolution
PLACES = [
    ("EPSG:4326", (-20.0, 30.0), (20.0, 60.0), (0.0005, 0.02)),
    ("EPSG:32633", (300e3, 600e3), (4.5e6, 6.5e6), (10.0, 500.0)),
    ("EPSG:32618", (300e3, 600e3), (3.0e6, 5.0e6), (10.0, 500.0)),
    ("EPSG:3413", (-5e5, 5e5), (-1.5e6, -2.5e6), (50.0, 2000.0)),
    ("EPSG:3031", (1e6, 2e6), (1e6, 2e6), (50.0, 2000.0)),
    ("EPSG:3035", (3.5e6, 5e6), (2.5e6, 4e6), (20.0, 1000.0)),
]


def make_file(path, rng, place, dtype, size, kind, ovr, bands):
    crs, xr, yr, rr = place
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w]
    data = []
    for _ in range(bands):
        base = (np.sin(xx / (2 + 6 * rng.random())) + np.cos(yy / (3 + 6 * rng.random()))) * 0.25 + 0.5
        base = base + rng.random((h, w)) * 0.4
        if dtype == "uint8":
            a = np.clip(base / 1.4 * 254 + 1, 1, 255).astype("uint8")
        elif dtype == "int16":
            a = (base * 20000 - 10000).astype("int16")
        else:
            a = (base * 1000 - 300).astype("float32")
        data.append(a)
    data = np.stack(data)
    hole = np.zeros((h, w), bool)
    if kind != "none":
        for _ in range(2):
            cx, cy = rng.integers(0, w), rng.integers(0, h)
            r = rng.integers(2, max(3, min(w, h) // 4))
            hole |= (xx - cx) ** 2 + (yy - cy) ** 2 < r * r
        hole[:, : rng.integers(0, max(1, w // 8))] = True
    nodata = None
    if kind == "nodata":
        nodata = {"uint8": 0, "int16": -9999, "float32": -9999.0}[dtype]
    elif kind == "nan":
        nodata = float("nan")
    if nodata is not None:
        data[:, hole] = nodata
    res = rr[0] * (rr[1] / rr[0]) ** rng.random()
    x0 = xr[0] + (xr[1] - xr[0]) * rng.random()
    y0 = yr[0] + (yr[1] - yr[0]) * rng.random()
    if crs == "EPSG:4326":
        y0 = min(y0, 84.0)
    count = bands + (kind == "alpha")
    prof = dict(driver="GTiff", width=w, height=h, count=count, dtype=dtype, crs=crs,
                transform=from_origin(x0, y0, res, res))
    if nodata is not None:
        prof["nodata"] = nodata
    with rasterio.Env(GDAL_TIFF_INTERNAL_MASK=True):
        with MemoryFile() as mem:
            with mem.open(**prof) as dst:
                dst.write(data, indexes=list(range(1, bands + 1)))
                if kind == "alpha":
                    top = np.iinfo(dtype).max
                    dst.write(np.where(hole, 0, top).astype(dtype), count)
                    ci = list(dst.colorinterp)
                    ci[-1] = rasterio.enums.ColorInterp.alpha
                    dst.colorinterp = ci
                elif kind == "mask":
                    dst.write_mask(np.where(hole, 0, 255).astype("uint8"))
            with mem.open() as src:
                opts = dict(BLOCKSIZE=int(rng.choice([128, 256])), COMPRESS="DEFLATE")
                if not ovr:
                    opts["OVERVIEWS"] = "NONE"
                else:
                    opts["OVERVIEW_RESAMPLING"] = "NEAREST"
                rio_copy(src, path, driver="COG", **opts)


def gen_files(seed, n, outdir):
    out = []
    for i in range(n):
        # one generator per file: a file's parameters do not depend on which files exist
        rng = np.random.default_rng([seed, i])
        dtype = ["uint8", "int16", "float32"][i % 3]
        place = PLACES[int(rng.integers(0, len(PLACES)))]
        size = (int(rng.integers(60, 600)), int(rng.integers(60, 600)))
        kind = ["none", "nodata", "mask", "alpha", "nan"][int(rng.integers(0, 5))]
        if kind == "nan" and dtype != "float32":
            kind = "nodata"
        if kind == "alpha" and dtype == "float32":
            kind = "mask"
        ovr = bool(rng.integers(0, 2))
        bands = int(rng.integers(1, 4))
        name = "s%d_%02d_%s_%s_%s_b%d%s.tif" % (seed, i, place[0].replace(":", ""), dtype, kind,
                                                  bands, "_ovr" if ovr else "")
        path = os.path.join(outdir, name)
        if not os.path.exists(path):
            make_file(path, rng, place, dtype, size, kind, ovr, bands)
        out.append(path)
    return out


def tiles_for(path, rng, per_zoom):
    tms = morecantile.tms.get("WebMercatorQuad")
    with Reader(path) as r:
        minz, maxz = r.minzoom, r.maxzoom
        gb = r.get_geographic_bounds(tms.rasterio_geographic_crs)
    out = []
    for z in range(max(0, minz - 1), maxz + 3):
        tiles = list(tms.tiles(*gb, zooms=[z]))
        rng.shuffle(tiles)
        out.extend(tiles[:per_zoom])
    return out


def reference(path, t, k):
    """rio-tiler's (data, mask) for one tile, cached as .npz beside the file; None if refused."""
    cache = "%s.%d_%d_%d.%s.npz" % (path, t.z, t.x, t.y, k)
    if os.path.exists(cache):
        z = np.load(cache)
        return (z["data"], z["mask"]) if "data" in z else None
    try:
        with Reader(path) as r:
            img = r.tile(t.x, t.y, t.z, reproject_method=k)
        np.savez(cache, data=img.data, mask=img.mask)
        return img.data, img.mask
    except Exception:
        np.savez(cache, none=np.zeros(1))
        return None


def fetch(server, path, t, k):
    url = "%s/cog/tiles/WebMercatorQuad/%d/%d/%d.npy?%s" % (
        server, t.z, t.x, t.y, urllib.parse.urlencode({"url": path, "reproject": k}))
    try:
        with urllib.request.urlopen(url, timeout=120) as r:
            return np.load(io.BytesIO(r.read()))
    except urllib.error.HTTPError as e:
        return "HTTP %d %s" % (e.code, e.read()[:200])


def compare(ref_data, ref_mask, arr):
    """(exact pixels, within-1 pixels, total, error); a mask mismatch is a miss."""
    if isinstance(arr, str):
        return 0, 0, ref_mask.size, arr
    data, mask = arr[:-1], arr[-1]
    if data.shape != ref_data.shape:
        return 0, 0, ref_mask.size, "shape %s vs %s" % (data.shape, ref_data.shape)
    m_ok = (mask > 0) == (ref_mask > 0)
    both = (mask > 0) & (ref_mask > 0)
    rd = ref_data.astype("float64")
    cd = data.astype("float64")
    tol_e = np.abs(rd) * 1e-6 if np.issubdtype(ref_data.dtype, np.floating) else 0
    d = np.abs(rd - cd)
    d = np.where(np.isnan(rd) & np.isnan(cd), 0, d)
    exact = m_ok & (~both[None] | (d <= tol_e)).all(0)
    w1 = m_ok & (~both[None] | (d <= np.maximum(tol_e, 1))).all(0)
    return int(exact.sum()), int(w1.sum()), ref_mask.size, None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", default="http://127.0.0.1:8931")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--files", type=int, default=30)
    ap.add_argument("--per-zoom", type=int, default=1)
    ap.add_argument("--kernels", default=",".join(KERNELS))
    ap.add_argument("--dir", default="/tmp/warpk")
    ap.add_argument("--only", default="", help="substring a file name must contain")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    kernels = args.kernels.split(",")
    files = [f for f in gen_files(args.seed, args.files, args.dir) if args.only in f]
    rng = random.Random(args.seed)
    # kernel -> [exact px, w1 px, px, exact tiles, w1 tiles, tiles]
    stats = defaultdict(lambda: [0, 0, 0, 0, 0, 0])
    for path in files:
        for t in tiles_for(path, rng, args.per_zoom):
            for k in kernels:
                ref = reference(path, t, k)
                if ref is None:
                    continue
                e, w1, tot, err = compare(ref[0], ref[1], fetch(args.server, path, t, k))
                s = stats[k]
                s[0] += e
                s[1] += w1
                s[2] += tot
                s[3] += e == tot
                s[4] += w1 == tot
                s[5] += 1
                if e != tot and args.verbose:
                    print("MISS %-12s %s %d/%d/%d exact %.4f w1 %.4f %s" % (
                        k, os.path.basename(path), t.z, t.x, t.y, e / tot, w1 / tot, err or ""))
    print("%-13s %9s %9s %9s %9s" % ("kernel", "tiles=", "tiles±1", "px=%", "px±1%"))
    tot = [0] * 6
    for k in kernels:
        s = stats[k]
        if s[5]:
            tot = [a + b for a, b in zip(tot, s)]
            print("%-13s %4d/%-4d %4d/%-4d %9.3f %9.3f" % (
                k, s[3], s[5], s[4], s[5], 100 * s[0] / s[2], 100 * s[1] / s[2]))
    if tot[5]:
        print("%-13s %4d/%-4d %4d/%-4d %9.3f %9.3f" % (
            "all", tot[3], tot[5], tot[4], tot[5], 100 * tot[0] / tot[2], 100 * tot[1] / tot[2]))


if __name__ == "__main__":
    main()
