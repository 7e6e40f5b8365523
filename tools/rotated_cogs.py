#!/usr/bin/env python3
"""Writes small COGs with rotated or sheared geotransforms (GDAL terms 2 and 4 non-zero).

Usage: rotated_cogs.py OUT_DIR [--fixture]

Each file is a GDAL COG (rasterio / GDAL's COG driver) whose geotransform is
    translation(origin) * rotation(angle) * shear(sx, sy) * scale(res, -res)
over a structured pattern (gradients plus a checkerboard, so that a misplaced pixel shows),
with a variety of angles, shears, CRSs (EPSG:4326, EPSG:3857, a UTM zone), sizes, band
counts, nodata, with and without overviews, and overview resamplings. `--fixture` writes
only the small file committed as tests/data/rotated_utm.tif.

Needs the reference venv (rasterio 1.4.4 / GDAL 3.10.3): /work/venv-diff/bin/python.
"""
import os
import sys

import numpy as np
import rasterio
from affine import Affine
from rasterio.shutil import copy as rio_copy

# name, crs, origin, res, angle (degrees, counter-clockwise), shear (x, y degrees), size,
# bands, nodata, overviews (None / "nearest" / "average" / "bilinear"), block size
SPECS = [
    ("utm_rot30_ovr", "EPSG:32633", (500000, 5000000), 30.0, 30, (0, 0), (300, 220), 1, None, "nearest", 128),
    ("utm_rot-15_noovr", "EPSG:32633", (420000, 4800000), 20.0, -15, (0, 0), (200, 180), 1, 0, None, 128),
    ("utm_shear_ovr", "EPSG:32633", (610000, 5200000), 25.0, 0, (10, 5), (256, 256), 3, None, "average", 128),
    ("utm_rot120_rgb", "EPSG:32633", (500000, 5100000), 40.0, 120, (0, 0), (260, 240), 3, 0, "bilinear", 128),
    ("wgs84_rot10_ovr", "EPSG:4326", (10.0, 45.0), 0.0004, 10, (0, 0), (320, 240), 1, None, "nearest", 128),
    ("wgs84_rot-40_noovr", "EPSG:4326", (-3.0, 52.0), 0.0003, -40, (0, 0), (180, 200), 1, 255, None, 128),
    ("wgs84_shear_rot", "EPSG:4326", (140.0, -35.0), 0.0005, 25, (-8, 12), (240, 200), 1, None, "average", 128),
    ("merc_rot45_ovr", "EPSG:3857", (1000000, 6000000), 25.0, 45, (0, 0), (300, 300), 1, None, "nearest", 128),
    ("merc_rot-5_rgb", "EPSG:3857", (-8200000, 4970000), 15.0, -5, (0, 0), (280, 190), 3, None, "average", 128),
    ("utm_rot90", "EPSG:32633", (480000, 4900000), 30.0, 90, (0, 0), (150, 130), 1, None, None, 64),
]

FIXTURE = ("rotated_utm", "EPSG:32633", (500000, 5000000), 60.0, 30, (4, 0), (96, 80), 1, 0, "nearest", 32)


def pattern(bands, width, height, seed):
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:height, 0:width]
    out = []
    for b in range(bands):
        g = (xx * (3 + b) + yy * (5 - b)) % 200
        check = ((xx // 8 + yy // 8) % 2) * 40
        noise = rng.integers(0, 10, size=(height, width))
        out.append((g + check + noise + 1).clip(1, 254).astype("uint8"))
    return np.stack(out)


def transform(origin, res, angle, shear):
    return (
        Affine.translation(*origin)
        * Affine.rotation(angle)
        * Affine.shear(*shear)
        * Affine.scale(res, -res)
    )


def write(out_dir, spec, seed):
    name, crs, origin, res, angle, shear, (w, h), bands, nodata, ovr, block = spec
    data = pattern(bands, w, h, seed)
    if nodata is not None:
        # a nodata corner so masks matter
        data[:, : h // 5, : w // 6] = nodata
    path = os.path.join(out_dir, name + ".tif")
    profile = dict(
        driver="GTiff", width=w, height=h, count=bands, dtype="uint8", crs=crs,
        transform=transform(origin, res, angle, shear), nodata=nodata,
    )
    tmp = path + ".tmp.tif"
    with rasterio.open(tmp, "w", **profile) as dst:
        dst.write(data)
    opts = dict(driver="COG", blocksize=block, compress="DEFLATE")
    if ovr is None:
        opts["overviews"] = "NONE"
    else:
        opts["overviews"] = "AUTO"
        opts["overview_resampling"] = ovr
    rio_copy(tmp, path, **opts)
    os.remove(tmp)
    return path


def main():
    out_dir = sys.argv[1]
    os.makedirs(out_dir, exist_ok=True)
    specs = [FIXTURE] if "--fixture" in sys.argv else SPECS
    for i, spec in enumerate(specs):
        p = write(out_dir, spec, seed=1000 + i)
        with rasterio.open(p) as src:
            print(p, src.transform.to_gdal(), src.overviews(1))


if __name__ == "__main__":
    main()
