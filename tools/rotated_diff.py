#!/usr/bin/env python3
"""Compares cogtiler with rio-tiler on rotated / sheared COGs (see rotated_cogs.py).

Usage: rotated_diff.py SERVER_URL FILE.tif [FILE.tif ...] [-v]

For each file: info bounds, TileJSON bounds/minzoom/maxzoom in three TileMatrixSets, every
tile at three zooms over the footprint (nearest and bilinear, resampling and reproject),
bbox parts in EPSG:4326 and in the file's CRS, a preview, points and statistics. Pixels
match when the mask agrees and, where valid, every band is within 1 (nearest: equal).
Prints the pixel match rate per request kind and overall.

Needs the reference venv: /work/venv-diff/bin/python.
"""
import io
import json
import math
import sys
import urllib.parse
import urllib.request
from collections import defaultdict

import numpy as np
import morecantile
import warnings
from rio_tiler.io import Reader
from rio_tiler.errors import TileOutsideBounds

warnings.filterwarnings("ignore")
VERBOSE = "-v" in sys.argv
ARGS = [a for a in sys.argv[1:] if a != "-v"]
SERVER = ARGS[0].rstrip("/")
FILES = ARGS[1:]

stats = defaultdict(lambda: [0, 0])  # kind -> [matching pixels, pixels]
reqs = defaultdict(lambda: [0, 0])  # kind -> [matching requests, requests]


def get(path, **params):
    url = SERVER + path + "?" + urllib.parse.urlencode(params)
    try:
        with urllib.request.urlopen(url, timeout=120) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def npy(body):
    return np.load(io.BytesIO(body))


def record(kind, ok_pixels, total, label):
    stats[kind][0] += ok_pixels
    stats[kind][1] += total
    reqs[kind][0] += ok_pixels == total
    reqs[kind][1] += 1
    if VERBOSE and ok_pixels != total:
        print(f"  MISS {kind} {label}: {ok_pixels}/{total}")


def compare_image(kind, label, img, status, body, tol):
    """img: rio-tiler ImageData or None (outside bounds)."""
    if img is None or isinstance(img, Exception):
        # rio-tiler refused (outside, or an error TiTiler turns into a 4xx/5xx): one "pixel"
        record(kind, 1 if status != 200 else 0, 1, label + f" (rio-tiler {img!r}, cogtiler {status})")
        return
    n = img.width * img.height
    if status != 200:
        record(kind, 0, n, label + f" (cogtiler {status}: {body[:120]!r})")
        return
    arr = npy(body)
    data, mask = arr[:-1], arr[-1]
    if data.shape != img.data.shape:
        record(kind, 0, n, label + f" shape {data.shape} vs {img.data.shape}")
        return
    ref_valid = img.mask > 0
    our_valid = mask > 0
    diff = np.abs(data.astype("f8") - img.data.astype("f8")).max(axis=0)
    ok = (ref_valid == our_valid) & (~ref_valid | (diff <= tol))
    record(kind, int(ok.sum()), n, label)


def attempt(f, *args, **kwargs):
    try:
        return f(*args, **kwargs)
    except Exception as e:  # noqa
        return e


def close(a, b, rel=1e-7):
    return all(math.isclose(x, y, rel_tol=rel, abs_tol=1e-9) for x, y in zip(a, b))


def run_file(path):
    tms_ids = ["WebMercatorQuad", "WorldCRS84Quad", "WGS1984Quad"]
    with Reader(path) as src:
        # info
        st, body = get("/cog/info", url=path)
        info = json.loads(body) if st == 200 else {}
        ok = st == 200 and close(info.get("bounds", []), list(src.bounds))
        record("info", int(ok), 1, f"{path} bounds {info.get('bounds')} vs {list(src.bounds)}")
        for tid in tms_ids:
            tms = morecantile.tms.get(tid)
            with Reader(path, tms=tms) as s2:
                st, body = get(f"/cog/{tid}/tilejson.json", url=path)
                tj = json.loads(body) if st == 200 else {}
                ref = (s2.minzoom, s2.maxzoom, list(s2.get_geographic_bounds(tms.rasterio_geographic_crs)))
                ours = (tj.get("minzoom"), tj.get("maxzoom"), tj.get("bounds"))
                ok = ours[:2] == ref[:2] and close(ours[2] or [], ref[2], 1e-6)
                record("tilejson", int(ok), 1, f"{path} {tid} {ours} vs {ref}")
                # tiles
                gb = s2.get_geographic_bounds(tms.rasterio_geographic_crs)
                for z in (s2.maxzoom - 2, s2.maxzoom, s2.maxzoom + 1):
                    tiles = list(tms.tiles(*gb, zooms=[z]))
                    step = max(1, len(tiles) // 12)
                    for t in tiles[::step]:
                        for rs, rp in (("nearest", "nearest"), ("bilinear", "nearest"), ("nearest", "bilinear")):
                            kind = f"tile/{rs}/{rp}"
                            try:
                                img = s2.tile(t.x, t.y, t.z, resampling_method=rs, reproject_method=rp)
                            except TileOutsideBounds:
                                img = None
                            st, body = get(
                                f"/cog/tiles/{tid}/{t.z}/{t.x}/{t.y}.npy",
                                url=path, resampling=rs, reproject=rp,
                            )
                            compare_image(kind, f"{path} {tid} {t.z}/{t.x}/{t.y}", img,
                                          st, body, 0 if rs == rp == "nearest" else 1)
        # parts: a box inside the footprint, in WGS84 and in the file's CRS
        w, s, e, n = src.get_geographic_bounds(src.tms.rasterio_geographic_crs)
        bb = (w + 0.3 * (e - w), s + 0.25 * (n - s), w + 0.75 * (e - w), s + 0.8 * (n - s))
        for rs in ("nearest", "bilinear"):
            img = attempt(src.part, bb, width=200, height=160, resampling_method=rs)
            st, body = get(f"/cog/bbox/{bb[0]},{bb[1]},{bb[2]},{bb[3]}/200x160.npy", url=path, resampling=rs)
            compare_image(f"part-4326/{rs}", f"{path} {bb}", img, st, body, 0 if rs == "nearest" else 1)
            l, b, r, t = src.bounds
            nb = (l + 0.2 * (r - l), b + 0.3 * (t - b), l + 0.7 * (r - l), b + 0.9 * (t - b))
            crs = src.crs.to_string()
            img = attempt(src.part, nb, dst_crs=src.crs, bounds_crs=src.crs, width=180, height=150,
                          resampling_method=rs)
            st, body = get(f"/cog/bbox/{nb[0]},{nb[1]},{nb[2]},{nb[3]}/180x150.npy", url=path,
                           resampling=rs, coord_crs=crs, dst_crs=crs)
            compare_image(f"part-native/{rs}", f"{path} {nb}", img, st, body, 0 if rs == "nearest" else 1)
        # preview
        img = src.preview(max_size=128)
        st, body = get("/cog/preview.npy", url=path, max_size=128)
        compare_image("preview", path, img, st, body, 0)
        # points: a grid over the geographic bounds
        for i in range(5):
            for j in range(5):
                lon = w + (i + 0.37) / 5 * (e - w)
                lat = s + (j + 0.41) / 5 * (n - s)
                try:
                    p = src.point(lon, lat)
                    ref = [None if m == 0 else float(v) for v, m in zip(p.data, np.broadcast_to(p.mask, p.data.shape))]
                except Exception:
                    ref = "outside"
                st, body = get(f"/cog/point/{lon},{lat}", url=path)
                if st == 200:
                    ours = json.loads(body)["values"]
                else:
                    ours = "outside"
                record("point", int(ours == ref), 1, f"{path} {lon},{lat} {ours} vs {ref}")
        # statistics
        ref = src.statistics(max_size=256)
        st, body = get("/cog/statistics", url=path, max_size=256)
        ok = st == 200
        if ok:
            ours = json.loads(body)
            for k, v in ref.items():
                o = ours.get(k, {})
                for key in ("min", "max", "mean", "count", "valid_pixels"):
                    if not math.isclose(o.get(key, float("nan")), getattr(v, key), rel_tol=1e-6):
                        ok = False
        record("statistics", int(ok), 1, f"{path} statistics")


def main():
    for f in FILES:
        run_file(f)
    tot = [0, 0]
    for k in sorted(stats):
        m, n = stats[k]
        rm, rn = reqs[k]
        tot[0] += m
        tot[1] += n
        print(f"{k:28s} pixels {m}/{n} = {100.0 * m / max(n, 1):6.2f}%   requests {rm}/{rn}")
    print(f"{'all':28s} pixels {tot[0]}/{tot[1]} = {100.0 * tot[0] / max(tot[1], 1):6.2f}%")


if __name__ == "__main__":
    main()
