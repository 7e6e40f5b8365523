#!/usr/bin/env python3
"""Expected values for tests/rotated.rs, from rio-tiler 9.4.12 on tests/data/rotated_utm.tif.

Usage: rotated_expected.py   (from the repository root, with /work/venv-diff/bin/python)

Writes tests/data/rotated_utm.json (bounds, zoom ranges, points, the tiles' ids) and one
`.npy` per tile (TiTiler's npy body: data bands then the mask, 64 × 64 pixels).
"""
import json
import warnings

import morecantile
import numpy as np
from rio_tiler.io import Reader
from rio_tiler.errors import PointOutsideBounds

warnings.filterwarnings("ignore")
PATH = "tests/data/rotated_utm.tif"
OUT = {"bounds": None, "zooms": {}, "points": [], "tiles": []}

with Reader(PATH) as src:
    OUT["bounds"] = list(src.bounds)
    w, s, e, n = src.get_geographic_bounds(src.tms.rasterio_geographic_crs)
    OUT["geographic_bounds"] = [w, s, e, n]
    for tid in ("WebMercatorQuad", "WorldCRS84Quad", "WGS1984Quad"):
        with Reader(PATH, tms=morecantile.tms.get(tid)) as s2:
            OUT["zooms"][tid] = [s2.minzoom, s2.maxzoom]
    # points near the corners of the geographic extent: outside the raster's two-corner box
    for fx, fy in ((0.1, 0.5), (0.5, 0.1), (0.9, 0.5), (0.5, 0.9), (0.37, 0.41), (0.02, 0.02)):
        lon, lat = w + fx * (e - w), s + fy * (n - s)
        try:
            p = src.point(lon, lat)
            vals = [None if not m else float(v) for v, m in zip(p.data, np.broadcast_to(p.mask, p.data.shape))]
        except PointOutsideBounds:
            vals = "outside"
        OUT["points"].append({"lon": lon, "lat": lat, "values": vals})
    # every 64-px WebMercatorQuad tile at maxzoom + 3, nearest / nearest
    tms = src.tms
    z = OUT["zooms"]["WebMercatorQuad"][1] + 3
    for t in tms.tiles(w, s, e, n, zooms=[z]):
        img = src.tile(t.x, t.y, t.z, tilesize=64)
        name = f"rotated_utm_{t.z}_{t.x}_{t.y}.npy"
        body = np.concatenate([img.data, img.mask[None].astype(img.data.dtype)])
        np.save("tests/data/" + name, body)
        OUT["tiles"].append({"z": t.z, "x": t.x, "y": t.y, "npy": name})

with open("tests/data/rotated_utm.json", "w") as f:
    json.dump(OUT, f, indent=1)
print(json.dumps(OUT, indent=1))
