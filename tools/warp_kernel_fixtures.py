#!/usr/bin/env python3
"""Makes the warp-kernel regression fixtures in tests/data/warp_kernels/.

Two tiny COGs in CRSs other than WebMercatorQuad's (a uint8 file with nodata holes in UTM 33N,
an int16 file with an internal mask in LAEA Europe), and for each the WebMercatorQuad tile
(32 x 32 pixels) that live rio-tiler 9.4.12 / GDAL 3.10 answers for every warp kernel
(`reproject_method`), stacked into one .npy per file: shape (kernels, bands + 1, 32, 32), the
data bands then the mask (0/255), in the file's data type. tests/warp_kernels.rs reads the
same tiles through cogtiler and compares. Run with the reference venv:

    /work/venv-diff/bin/python tools/warp_kernel_fixtures.py
"""
import json
import os
import warnings

import numpy as np
import morecantile
import rasterio
import rasterio.warp
from rasterio.io import MemoryFile
from rasterio.shutil import copy as rio_copy
from rasterio.transform import from_origin
from rio_tiler.io import Reader

warnings.filterwarnings("ignore")

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "warp_kernels")
KERNELS = ["bilinear", "cubic", "cubic_spline", "lanczos", "average", "mode", "min", "max",
           "med", "q1", "q3", "rms"]
TILESIZE = 32


def make(path, crs, origin, res, dtype, size, kind, seed):
    rng = np.random.default_rng(seed)
    w, h = size
    yy, xx = np.mgrid[0:h, 0:w]
    base = (np.sin(xx / 3.0) + np.cos(yy / 4.0)) * 0.25 + 0.5 + rng.random((h, w)) * 0.4
    if dtype == "uint8":
        data = np.clip(base / 1.4 * 254 + 1, 1, 255).astype("uint8")
    else:
        data = (base * 20000 - 10000).astype("int16")
    hole = (xx - w * 0.6) ** 2 + (yy - h * 0.4) ** 2 < (min(w, h) * 0.2) ** 2
    prof = dict(driver="GTiff", width=w, height=h, count=1, dtype=dtype, crs=crs,
                transform=from_origin(origin[0], origin[1], res, res))
    if kind == "nodata":
        prof["nodata"] = 0
        data[hole] = 0
    with rasterio.Env(GDAL_TIFF_INTERNAL_MASK=True):
        with MemoryFile() as mem:
            with mem.open(**prof) as dst:
                dst.write(data, 1)
                if kind == "mask":
                    dst.write_mask(np.where(hole, 0, 255).astype("uint8"))
            with mem.open() as src:
                rio_copy(src, path, driver="COG", BLOCKSIZE=64, COMPRESS="DEFLATE",
                         OVERVIEWS="NONE")


FILES = [
    # name, crs, top-left, pixel size, dtype, size, validity, zoom of the tile at the centre
    ("utm_u8_nodata", "EPSG:32633", (500000.0, 5400000.0), 60.0, "uint8", (120, 100), "nodata",
     13),
    ("laea_i16_mask", "EPSG:3035", (4300000.0, 3300000.0), 90.0, "int16", (110, 90), "mask",
     12),
]


def main():
    os.makedirs(OUT, exist_ok=True)
    meta = {}
    for i, (name, crs, origin, res, dtype, size, kind, tile) in enumerate(FILES):
        path = os.path.join(OUT, name + ".tif")
        make(path, crs, origin, res, dtype, size, kind, seed=i)
        with rasterio.open(path) as src:
            b = src.bounds
            lon, lat = rasterio.warp.transform(src.crs, "EPSG:4326", [(b.left + b.right) / 2],
                                               [(b.top + b.bottom) / 2])
        t = morecantile.tms.get("WebMercatorQuad").tile(lon[0], lat[0], tile)
        z, x, y = t.z, t.x, t.y
        stack = []
        with Reader(path) as r:
            for k in KERNELS:
                img = r.tile(x, y, z, tilesize=TILESIZE, reproject_method=k)
                stack.append(np.concatenate([img.data, img.mask[None].astype(img.data.dtype)]))
        np.save(os.path.join(OUT, name + ".npy"), np.stack(stack))
        meta[name] = {"tile": [z, x, y], "tilesize": TILESIZE, "kernels": KERNELS}
    with open(os.path.join(OUT, "tiles.json"), "w") as f:
        json.dump(meta, f, indent=1)


if __name__ == "__main__":
    main()
