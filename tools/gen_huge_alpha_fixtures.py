"""Fixtures of tests/huge_alpha.rs (issue 10, classes 3 and 4), with rio-tiler's answers.

Run with the reference stack (rasterio 1.4.4 / GDAL 3.10.3, rio-tiler 9.4.12):
    /work/venv-diff/bin/python tools/gen_huge_alpha_fixtures.py tests/data/huge_alpha

- sparse_20000x16000_32632.tif: uint8, 20000 x 16000 pixels, 512 px deflate tiles, no
  overviews, SPARSE_OK (only a few blocks written; every other block is absent from the
  file and reads as 0). A window over it is 3.2e8 pixels, above cogtiler's one-window limit,
  while the file is ~20 KB.
- rgba_<dtype>.tif: 4-band RGB + unassociated alpha (ExtraSamples = 2) in uint8, uint16,
  int16 and float32, 64 x 64 pixels, EPSG:4326, partial alpha values everywhere.

Each request's rio-tiler answer is stored as `<name>.npy` (TiTiler's npy body: data bands
then `ImageData.mask`) or `<name>.json` (statistics).
"""

import json
import os
import sys
import warnings

import morecantile
import numpy as np
import rasterio
from rasterio.enums import ColorInterp
from rasterio.transform import from_origin
from rasterio.windows import Window
from rio_tiler.io import Reader

warnings.filterwarnings("ignore")
out = sys.argv[1] if len(sys.argv) > 1 else "tests/data/huge_alpha"
os.makedirs(out, exist_ok=True)


def body(img):
    return np.concatenate([img.data, img.mask[None].astype(img.data.dtype)])


def save(name, arr):
    np.save(os.path.join(out, name + ".npy"), arr)


# --- class 3: a huge sparse raster without overviews ------------------------------------
huge = os.path.join(out, "sparse_20000x16000_32632.tif")
W, H = 20000, 16000
prof = dict(driver="GTiff", width=W, height=H, count=1, dtype="uint8", crs="EPSG:32632",
            transform=from_origin(300000, 5600000, 10, 10), tiled=True, blockxsize=512,
            blockysize=512, compress="deflate", sparse_ok=True)
with rasterio.open(huge, "w", **prof) as d:
    for bx, by in [(0, 0), (7, 5), (20, 15), (38, 30), (39, 31), (25, 8)]:
        w = Window(bx * 512, by * 512, min(512, W - bx * 512), min(512, H - by * 512))
        yy, xx = np.mgrid[0 : w.height, 0 : w.width]
        d.write(((xx // 8 + yy // 8 + bx + by) % 250 + 1).astype("uint8")[None], window=w)
    # a row of blocks, every other one written
    for bx in range(0, 40, 2):
        w = Window(bx * 512, 8192, min(512, W - bx * 512), 512)
        d.write(np.full((1, 512, w.width), bx * 5 + 20, dtype="uint8"), window=w)

tms = morecantile.tms.get("WebMercatorQuad")
with Reader(huge) as r:
    save("sparse_preview64", body(r.preview(max_size=64)))
    stats = r.statistics()
    json.dump({k: v.model_dump() for k, v in stats.items()},
              open(os.path.join(out, "sparse_statistics.json"), "w"), indent=1)
    # a low-zoom WebMercator tile: a nearest warp over most of the raster
    lon, lat = 9.5, 49.8
    t = tms.tile(lon, lat, 6)
    save(f"sparse_tile_6_{t.x}_{t.y}_64", body(r.tile(t.x, t.y, 6, tilesize=64)))
    # a part reaching past the raster in its own CRS: a boundless nearest read
    b = r.bounds
    part = (b[0] - 20000, b[1] + 30000, b[2] + 10000, b[3] + 5000)
    save("sparse_part64", body(r.part(part, dst_crs=r.crs, bounds_crs=r.crs, max_size=64)))
    print("tile", t, "part", part)

# --- class 4: RGBA files whose alpha is not 8-bit ----------------------------------------
# 64 x 64 pixels in EPSG:4326 (so WebMercator tiles are warped). The alpha varies by column
# only (GDAL weighs a resampled pixel's horizontal neighbours by their 8-bit mask value, and
# then its rows by validity alone; with alpha constant down each column both orders agree):
# transparent, opaque, partial, and values just below/above the warper's density threshold.
S = 64
xx = np.tile(np.arange(S), (S, 1))
yy = xx.T
alphas = {
    "uint16": [0, 65535, 65535, 30000, 3, 7, 200, 65535, 1000, 0, 65535, 50000],
    "int16": [0, 32767, 32767, -5, 3, 4, 16000, 32767, 100, 0, 32767, 25000],
    "float32": [0, 1, 255, 0.02, 0.03, 65535, 0.5, 300.5, 1, 0, 1, 2],
    "uint8": [0, 255, 255, 100, 1, 2, 30, 255, 200, 0, 255, 128],
}
tile_z, tile_x, tile_y = 12, 2161, 1389
for dt, cycle in alphas.items():
    path = os.path.join(out, f"rgba_{dt}.tif")
    alpha = np.array([cycle[(c // 3) % len(cycle)] for c in range(S)], dtype=dt)
    alpha = np.tile(alpha, (S, 1))
    data = np.stack([(xx * 3 + yy * 5) % 97 + 1, (xx * 7) % 89 + 2, (yy * 11) % 83 + 3])
    prof = dict(driver="GTiff", width=S, height=S, count=4, dtype=dt, crs="EPSG:4326",
                transform=from_origin(10.0, 50.0, 0.001, 0.001), tiled=True, blockxsize=32,
                blockysize=32, compress="deflate", photometric="RGB", alpha="unassociated")
    with rasterio.open(path, "w", **prof) as d:
        d.write(data.astype(dt), [1, 2, 3])
        d.write(alpha, 4)
        d.colorinterp = [ColorInterp.red, ColorInterp.green, ColorInterp.blue, ColorInterp.alpha]
    with Reader(path) as r:
        # the native grid, halved with a kernel: the alpha weighs the RGB bands
        save(f"rgba_{dt}_preview32_bilinear",
             body(r.preview(max_size=32, resampling_method="bilinear")))
        # a WebMercator tile: a nearest warp, the alpha turned into the warper's density
        save(f"rgba_{dt}_tile_{tile_z}_{tile_x}_{tile_y}_48",
             body(r.tile(tile_x, tile_y, tile_z, tilesize=48)))
