#!/usr/bin/env python3
"""Regenerates tests/data/resampling/: tiny GeoTIFFs and rio-tiler's answers for resampled tiles.

Each file is EPSG:3857 (WebMercatorQuad tiles need no reprojection, so the tile is a plain
RasterIO resampled read) and covers one masking flavour GDAL treats differently: a nodata value,
an internal mask, an RGBA alpha band. For each, a few 64 px tiles inside the raster (and one on
its edge) are read by rio-tiler with each convolution kernel; `cases.json` lists them and each
expected answer is stored as TiTiler's `.npy` body (data bands, then the mask band as 0/255).

    /work/venv-diff/bin/python tools/gen_resampling_fixtures.py
"""
import json, os
import numpy as np
import rasterio
from rasterio.transform import from_origin
import morecantile
from rio_tiler.io import Reader

OUT = os.path.join(os.path.dirname(__file__), "..", "tests", "data", "resampling")
TMS = morecantile.tms.get("WebMercatorQuad")


def content(rng, h, w, scale, off, dtype):
    yy, xx = np.mgrid[0:h, 0:w]
    a = (np.sin(xx / 3.7) + np.cos(yy / 5.3)) * 0.3 + 0.5 + 0.05 * np.sin(xx * yy / 7.0)
    return (a * scale + off).astype(dtype)


def write(name, rng, bands, dtype, scale, off, nodata=None, mask=False, alpha=False, ovr=(2,)):
    w, h = 160, 130
    res = TMS.matrix(12).cellSize * 0.83
    yy, xx = np.mgrid[0:h, 0:w]
    hole = (xx - 60) ** 2 + (yy - 50) ** 2 < 18 ** 2
    data = np.stack([content(rng, h, w, scale, off, dtype) for _ in range(bands)])
    if nodata is not None:
        data[:, hole] = nodata
    prof = dict(driver="GTiff", width=w, height=h, count=bands + alpha, dtype=dtype,
                crs="EPSG:3857", transform=from_origin(1_000_000.0, 6_000_000.0, res, res),
                tiled=True, blockxsize=64, blockysize=64, compress="deflate", predictor=2)
    if nodata is not None:
        prof["nodata"] = nodata
    path = os.path.join(OUT, name)
    with rasterio.Env(GDAL_TIFF_INTERNAL_MASK=True):
        with rasterio.open(path, "w", **prof) as dst:
            dst.write(data, indexes=list(range(1, bands + 1)))
            if alpha:
                a = np.where(hole, 0, 255).astype(dtype)
                a[hole & (xx % 3 == 0)] = 128
                dst.write(a, bands + 1)
                ci = list(dst.colorinterp)
                ci[-1] = rasterio.enums.ColorInterp.alpha
                dst.colorinterp = ci
            elif mask:
                dst.write_mask(np.where(hole, 0, 255).astype("uint8"))
            dst.build_overviews(list(ovr), rasterio.enums.Resampling.nearest)
    return path


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = np.random.default_rng(10)
    files = [
        write("nodata_u8.tif", rng, 2, "uint8", 180, 20, nodata=0),
        write("mask_u16.tif", rng, 1, "uint16", 3000, 1000, mask=True),
        write("alpha_rgba.tif", rng, 3, "uint8", 180, 20, alpha=True),
    ]
    cases = []
    for path in files:
        name = os.path.basename(path)
        with rasterio.open(path) as src:
            b = src.bounds
        res = (b.right - b.left) / 160
        # near the hole (pixel 60, 50): 16 px at z15 (x4.8, from the 2x overview), 32 px at
        # z16 (x1.2, full resolution) and z17 (x0.6, upsampling); 32 px at z16 on the left edge
        cx, cy = b.left + 60 * res, b.top - 50 * res
        picks = [(TMS.tile(*TMS.lnglat(cx, cy), 15), 16), (TMS.tile(*TMS.lnglat(cx, cy), 16), 32),
                 (TMS.tile(*TMS.lnglat(cx, cy), 17), 32),
                 (TMS.tile(*TMS.lnglat(b.left + 1.0, cy), 16), 32)]
        for n, (t, size) in enumerate(picks):
            kernels = ("bilinear", "cubic") + (("cubic_spline", "lanczos") if n % 2 else ())
            for k in kernels:
                with Reader(path) as r:
                    img = r.tile(t.x, t.y, t.z, tilesize=size, resampling_method=k)
                arr = np.concatenate([img.data, img.mask[None].astype(img.data.dtype)])
                out = f"{name[:-4]}_{t.z}_{t.x}_{t.y}_{k}.npy"
                np.save(os.path.join(OUT, out), arr)
                cases.append({"file": name, "z": t.z, "x": t.x, "y": t.y, "tilesize": size,
                              "resampling": k, "expected": out})
    with open(os.path.join(OUT, "cases.json"), "w") as f:
        json.dump(cases, f, indent=1)


if __name__ == "__main__":
    main()
