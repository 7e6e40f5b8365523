#!/usr/bin/env python3
"""Differential check of `resampling=` (RasterIO resampling) against rio-tiler.

Generates small GeoTIFFs (EPSG:3857 so WebMercatorQuad tiles need no reprojection, EPSG:4326
with WGS1984Quad) with several dtypes, masks and overview layouts, asks rio-tiler and a running
cogtiler server for the same tiles/parts/previews with each resampling, and prints per-kernel
match rates (exact and within +-1). Run with the reference venv:

    /work/venv-diff/bin/python tools/resampling_diff.py --server http://127.0.0.1:8123 [--seed N]
"""
import argparse, io, itertools, json, os, random, sys, urllib.parse, urllib.request
from collections import defaultdict

import numpy as np
import rasterio
from rasterio.transform import from_origin
import morecantile
from rio_tiler.io import Reader

KERNELS = ["bilinear", "cubic", "cubic_spline", "lanczos", "average", "mode", "gauss", "rms"]


def make_file(path, rng, crs, dtype, size, nodata, mask, alpha, ovr, block, bands):
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w]
    data = []
    for b in range(bands):
        base = (np.sin(xx / (3 + 5 * rng.random())) + np.cos(yy / (4 + 5 * rng.random()))) * 0.25 + 0.5
        base = base + rng.random((h, w)) * 0.3
        if dtype == "uint8":
            a = (base / 1.3 * 250).astype("uint8")
        elif dtype == "uint16":
            a = (base * 20000).astype("uint16")
        elif dtype == "int16":
            a = (base * 20000 - 10000).astype("int16")
        elif dtype == "float32":
            a = (base * 1000 - 300).astype("float32")
        else:
            a = (base * 1000 - 300).astype("float64")
        data.append(a)
    data = np.stack(data)
    hole = np.zeros((h, w), bool)
    cx, cy, r = rng.integers(0, w), rng.integers(0, h), rng.integers(3, max(4, min(w, h) // 3))
    hole |= (xx - cx) ** 2 + (yy - cy) ** 2 < r * r
    hole[:, : rng.integers(0, max(1, w // 6))] = True
    if nodata is not None:
        data[:, hole] = nodata
    if crs == "EPSG:3857":
        tms = morecantile.tms.get("WebMercatorQuad")
        z0 = int(rng.integers(8, 14))
        res = tms.matrix(z0).cellSize * (0.55 + 1.2 * rng.random())
        x0, y0 = -20037508.34 * rng.random() * 0.5 + 1e6, 5e6 + 1e5 * rng.random()
    else:
        res = 0.01 * (0.5 + rng.random())
        x0, y0 = -10 + 20 * rng.random(), 40 + 5 * rng.random()
    prof = dict(driver="GTiff", width=w, height=h, count=bands + (1 if alpha else 0), dtype=dtype,
                crs=crs, transform=from_origin(x0, y0, res, res), tiled=True,
                blockxsize=block, blockysize=block, compress="deflate")
    if nodata is not None:
        prof["nodata"] = nodata
    with rasterio.Env(GDAL_TIFF_INTERNAL_MASK=True):
        with rasterio.open(path, "w", **prof) as dst:
            dst.write(data, indexes=list(range(1, bands + 1)))
            if alpha:
                top = np.iinfo(dtype).max if dtype != "float32" and dtype != "float64" else 255
                dst.write(np.where(hole, 0, top).astype(dtype), bands + 1)
                ci = list(dst.colorinterp)
                ci[-1] = rasterio.enums.ColorInterp.alpha
                dst.colorinterp = ci
            elif mask:
                dst.write_mask(np.where(hole, 0, 255).astype("uint8"))
            if ovr:
                facs = [ovr ** i for i in range(1, 4) if min(w, h) // ovr ** i >= 8]
                if facs:
                    dst.build_overviews(facs, rasterio.enums.Resampling.nearest)
    return res


def gen_files(seed, n):
    out = []
    for i in range(n):
        rng = np.random.default_rng([seed, i])
        dtype = ["uint8", "int16", "uint16", "float32", "float64"][i % 5]
        crs = "EPSG:3857" if i % 3 != 2 else "EPSG:4326"
        size = (int(rng.integers(40, 700)), int(rng.integers(40, 700)))
        kind = ["none", "nodata", "mask", "alpha", "nan"][int(rng.integers(0, 5))]
        if kind == "nan" and not dtype.startswith("float"):
            kind = "nodata"
        if kind == "alpha" and dtype.startswith("float"):
            kind = "mask"
        nodata = {"nodata": {"uint8": 0, "int16": -9999, "uint16": 65535, "float32": -9999.0,
                             "float64": -1e6}[dtype], "nan": float("nan")}.get(kind)
        ovr = [0, 2, 3][int(rng.integers(0, 3))]
        block = [16, 64, 128, 256][int(rng.integers(0, 4))]
        bands = int(rng.integers(1, 4))
        path = f"/tmp/rs/f{seed}_{i}_{dtype}_{kind}_o{ovr}_b{block}.tif"
        if not os.path.exists(path):
            make_file(path, rng, crs, dtype, size, nodata, kind == "mask", kind == "alpha", ovr, block, bands)
        out.append(path)
    return out


def fetch(server, path, params):
    url = server + path + "?" + urllib.parse.urlencode(params)
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            return np.load(io.BytesIO(r.read()))
    except urllib.error.HTTPError as e:
        return "HTTP %d %s" % (e.code, e.read()[:200])


def compare(ref_data, ref_mask, arr):
    """(exact, within1, total) over the pixels; mask mismatches count as misses."""
    if isinstance(arr, str):
        return 0, 0, ref_mask.size, arr
    data, mask = arr[:-1], arr[-1]
    if data.shape != ref_data.shape:
        return 0, 0, ref_mask.size, "shape %s vs %s" % (data.shape, ref_data.shape)
    m_ok = (mask > 0) == (ref_mask > 0)
    both = (mask > 0) & (ref_mask > 0)
    rd = ref_data.astype("float64")
    cd = data.astype("float64")
    if np.issubdtype(ref_data.dtype, np.floating):
        tol_e = np.abs(rd) * 1e-6 + 1e-9
    else:
        tol_e = 0
    d = np.abs(rd - cd)
    d = np.where(np.isnan(rd) & np.isnan(cd), 0, d)
    exact = m_ok & (~both[None] | (d <= tol_e)).all(0)
    w1 = m_ok & (~both[None] | (d <= np.maximum(tol_e, 1))).all(0)
    return int(exact.sum()), int(w1.sum()), ref_mask.size, None


def requests_for(path, rng):
    with rasterio.open(path) as src:
        crs = src.crs.to_string()
        b = src.bounds
    tmsname = "WebMercatorQuad" if crs == "EPSG:3857" else "WGS1984Quad"
    tms = morecantile.tms.get(tmsname)
    reqs = []
    with Reader(path, tms=tms) as r:
        minz, maxz = r.minzoom, r.maxzoom
        gb = r.get_geographic_bounds(tms.rasterio_geographic_crs)
    for z in range(max(0, minz - 1), maxz + 3):
        tiles = list(tms.tiles(*gb, zooms=[z]))
        rng.shuffle(tiles)
        for t in tiles[:2]:
            with rasterio.open(path) as src:
                w = src.window(*tms.xy_bounds(t))
            inside = w.col_off >= 0 and w.row_off >= 0 and w.col_off + w.width <= src.width and w.row_off + w.height <= src.height
            reqs.append(("tile", tmsname, t, "inside" if inside else "boundless"))
    if crs == "EPSG:3857":
        w, h = b.right - b.left, b.top - b.bottom
        for _ in range(2):
            x0 = b.left + w * (rng.random() * 0.6 - 0.1)
            y0 = b.bottom + h * (rng.random() * 0.6 - 0.1)
            bbox = (x0, y0, x0 + w * (0.2 + rng.random() * 0.5), y0 + h * (0.2 + rng.random() * 0.5))
            reqs.append(("part", bbox, (rng.randint(20, 300), rng.randint(20, 300))))
    reqs.append(("preview", rng.randint(30, 400)))
    return reqs


def run(server, files, kernels, seed, verbose):
    rng = random.Random(seed)
    stats = defaultdict(lambda: [0, 0, 0, 0, 0])  # exact px, w1 px, total px, exact tiles, tiles
    fails = []
    for path in files:
        for req in requests_for(path, rng):
            for k in kernels:
                with Reader(path) as r:
                    try:
                        if req[0] == "tile":
                            tms = morecantile.tms.get(req[1])
                            with Reader(path, tms=tms) as rr:
                                img = rr.tile(req[2].x, req[2].y, req[2].z, resampling_method=k)
                            arr = fetch(server, f"/cog/tiles/{req[1]}/{req[2].z}/{req[2].x}/{req[2].y}.npy",
                                        {"url": path, "resampling": k})
                        elif req[0] == "part":
                            bbox, (pw, ph) = req[1], req[2]
                            img = r.part(bbox, width=pw, height=ph, resampling_method=k, dst_crs=r.crs, bounds_crs=r.crs)
                            arr = fetch(server, "/cog/bbox/%s/%dx%d.npy" % (",".join(repr(v) for v in bbox), pw, ph),
                                        {"url": path, "resampling": k, "coord_crs": "EPSG:3857", "dst_crs": "EPSG:3857"})
                        else:
                            img = r.preview(max_size=req[1], resampling_method=k)
                            arr = fetch(server, "/cog/preview.npy", {"url": path, "resampling": k, "max_size": req[1]})
                    except Exception as e:  # rio-tiler refused: skip
                        continue
                e, w1, tot, err = compare(img.data, img.mask, arr)
                s = stats[k]
                s[0] += e; s[1] += w1; s[2] += tot; s[3] += (e == tot); s[4] += 1
                if e != tot:
                    fails.append((k, path, req, e / tot, w1 / tot, err))
                    if verbose:
                        print("MISS", k, os.path.basename(path), req, "exact %.3f w1 %.3f" % (e / tot, w1 / tot), err or "")
    print("%-13s %8s %8s %10s" % ("kernel", "exact%", "+-1%", "req exact"))
    for k in kernels:
        s = stats[k]
        if s[2]:
            print("%-13s %8.2f %8.2f %6d/%d" % (k, 100 * s[0] / s[2], 100 * s[1] / s[2], s[3], s[4]))
    return fails


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", default="http://127.0.0.1:8123")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--files", type=int, default=15)
    ap.add_argument("--kernels", default=",".join(KERNELS))
    ap.add_argument("--only", default=None, help="substring filter on file names")
    ap.add_argument("-v", action="store_true")
    a = ap.parse_args()
    files = gen_files(a.seed, a.files)
    if a.only:
        files = [f for f in files if a.only in f]
    run(a.server, files, a.kernels.split(","), a.seed, a.v)
