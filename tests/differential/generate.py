"""Seeded random COGs: one valid GeoTIFF per seed, written with GDAL (rasterio).

A seed fixes every choice, so `generate(seed, dir)` writes the same file on any machine with the
pinned rasterio/GDAL. Each file also records its features (`Spec.features`), which the report
groups pass rates by.
"""

import math
import os
import random
from dataclasses import dataclass, field

import numpy as np
import rasterio
from rasterio.crs import CRS
from rasterio.enums import Resampling
from rasterio.transform import Affine

DTYPES = ["uint8", "uint8", "uint8", "int8", "uint16", "int16", "uint32", "int32", "float32", "float32", "float64"]

# (name, CRS, centre x/y in that CRS, a typical pixel size there). Projected centres are well inside
# each CRS's area of use; the geographic ones include a file straddling the antimeridian.
CRSS = [
    ("EPSG:3857", "EPSG:3857", (1_300_000.0, 5_500_000.0), 40.0),
    ("EPSG:4326", "EPSG:4326", (12.5, 45.0), 0.0004),
    ("EPSG:4326-antimeridian", "EPSG:4326", (179.8, -17.0), 0.0004),
    ("EPSG:32631", "EPSG:32631", (500_000.0, 4_800_000.0), 30.0),
    ("EPSG:32760", "EPSG:32760", (300_000.0, 8_100_000.0), 30.0),
    ("EPSG:3413-polar", "EPSG:3413", (-200_000.0, -1_500_000.0), 100.0),
    ("EPSG:3031-polar", "EPSG:3031", (300_000.0, 1_200_000.0), 100.0),
    ("EPSG:2154", "EPSG:2154", (650_000.0, 6_860_000.0), 20.0),
    ("EPSG:27700", "EPSG:27700", (400_000.0, 300_000.0), 25.0),
    ("EPSG:3035", "EPSG:3035", (4_300_000.0, 3_000_000.0), 50.0),
    ("custom-wkt-aeqd", 'PROJCS["custom azimuthal equidistant",GEOGCS["WGS 84",DATUM["WGS_1984",'
     'SPHEROID["WGS 84",6378137,298.257223563]],PRIMEM["Greenwich",0],UNIT["degree",0.0174532925199433]],'
     'PROJECTION["Azimuthal_Equidistant"],PARAMETER["latitude_of_center",48.0],'
     'PARAMETER["longitude_of_center",8.0],PARAMETER["false_easting",0],PARAMETER["false_northing",0],'
     'UNIT["metre",1]]', (10_000.0, -20_000.0), 30.0),
]

COMPRESSIONS = ["none", "deflate", "deflate", "lzw", "zstd", "packbits", "jpeg", "webp", "lerc", "lerc_zstd"]


@dataclass
class Spec:
    """What one seed generated."""

    seed: int
    path: str
    features: list = field(default_factory=list)
    crs_name: str = ""


def _data(rng, dtype, bands, h, w):
    """Smooth gradients plus noise: resampling kernels give visibly different answers on it."""
    xx = np.arange(w, dtype="float32")[None, :]
    yy = np.arange(h, dtype="float32")[:, None]
    out = []
    for b in range(bands):
        fx, fy = rng.uniform(0.5, 6.0, 2) / max(w, h)
        base = 0.5 + 0.5 * np.sin(2 * math.pi * (fx * xx + fy * yy) + b, dtype="float32")
        noise = rng.standard_normal((h, w), dtype="float32") * 0.05
        v = np.clip(base + noise, 0.0, 1.0)
        if np.dtype(dtype).kind == "f":
            arr = (v * 2000.0 - 500.0).astype(dtype)
        else:
            info = np.iinfo(dtype)
            lo, hi = (max(info.min, -30000), min(info.max, 60000))
            if dtype == "uint8":
                lo, hi = 1, 254
            if dtype == "int8":
                lo, hi = -120, 120
            arr = np.round(lo + v * (hi - lo)).astype(dtype)
        out.append(arr)
    return np.stack(out)


def generate_huge(seed: int, r, rng, outdir: str) -> Spec:
    """A raster tens of thousands of pixels a side with no overviews, mostly empty (sparse):
    only a few blocks are written, so the file stays small, but a reader that reads whole
    windows instead of the blocks under its samples needs gigabytes."""
    w, h = r.randint(20000, 45000), r.randint(20000, 45000)
    dtype = r.choice(["uint8", "uint16"])
    block = r.choice([256, 512])
    crs_name, crs_def, (cx, cy), res = r.choice([c for c in CRSS if c[0] in ("EPSG:3857", "EPSG:32631", "EPSG:4326")])
    transform = Affine(res, 0.0, cx - res * w / 2.0, 0.0, -res, cy + res * h / 2.0)
    compression = r.choice(["deflate", "zstd", "none"])
    path = os.path.join(outdir, "seed-%d.tif" % seed)
    opts = dict(driver="GTiff", width=w, height=h, count=1, dtype=dtype, crs=CRS.from_user_input(crs_def),
                transform=transform, nodata=0, tiled=True, blockxsize=block, blockysize=block, SPARSE_OK="TRUE",
                BIGTIFF="IF_SAFER")
    if compression != "none":
        opts["compress"] = compression
    with rasterio.open(path, "w", **opts) as dst:
        for _ in range(r.randint(5, 30)):
            bx, by = r.randrange(0, w // block), r.randrange(0, h // block)
            data = _data(rng, dtype, 1, block, block)
            dst.write(data, window=rasterio.windows.Window(bx * block, by * block, block, block))
    feats = ["dtype=" + dtype, "bands=1", "compress=" + compression, "size=huge", "block=square",
             "crs=" + crs_name, "geotransform=north-up", "validity=nodata", "overviews=none", "sparse"]
    return Spec(seed=seed, path=path, features=feats, crs_name=crs_name)


def generate(seed: int, outdir: str) -> Spec:
    r = random.Random(seed)
    rng = np.random.default_rng(seed)
    if r.random() < 0.04:
        return generate_huge(seed, r, rng, outdir)
    feats = []

    compression = r.choice(COMPRESSIONS)
    if compression in ("jpeg", "webp"):
        dtype = "uint8"
        bands = r.choice([1, 3] if compression == "jpeg" else [3, 4])
    else:
        dtype = r.choice(DTYPES)
        bands = r.choice([1, 1, 1, 2, 3, 4])
    if compression.startswith("lerc") and dtype == "int8":
        dtype = "int16"
    feats += ["dtype=" + dtype, "bands=%d" % bands, "compress=" + compression]

    size_kind = r.choice(["tiny", "small", "small", "small", "medium", "medium", "large"])
    if size_kind == "tiny":
        w, h = r.randint(1, 24), r.randint(1, 24)
    elif size_kind == "small":
        w, h = r.randint(25, 400), r.randint(25, 400)
    elif size_kind == "medium":
        w, h = r.randint(400, 1200), r.randint(400, 1200)
    else:
        w, h = r.randint(1200, 2400), r.randint(1200, 2400)
    feats.append("size=" + size_kind)

    bx = r.choice([16, 32, 64, 128, 256, 256, 256, 512])
    by = bx if r.random() < 0.7 else r.choice([16, 32, 64, 128, 256, 512])
    if compression == "jpeg":  # JPEG blocks are multiples of 16 (4:2:0) anyway
        by = bx
    feats.append("block=%s" % ("square" if bx == by else "non-square"))

    crs_name, crs_def, (cx, cy), res = r.choice(CRSS)
    feats.append("crs=" + crs_name)
    res *= r.choice([0.5, 1.0, 1.0, 2.0, 7.3])
    if size_kind == "tiny":
        res *= 50
    rotated = r.random() < 0.12
    if rotated:
        ang = math.radians(r.choice([-20.0, -7.5, 3.0, 15.0, 30.0]))
        a, b = res * math.cos(ang), -res * math.sin(ang)
        d, e = -res * math.sin(ang), -res * math.cos(ang)
        feats.append("geotransform=rotated")
    else:
        a, b, d, e = res, 0.0, 0.0, -res
        feats.append("geotransform=north-up")
    x0 = cx - (a * w + b * h) / 2.0
    y0 = cy - (d * w + e * h) / 2.0
    transform = Affine(a, b, x0, d, e, y0)

    data = _data(rng, dtype, bands, h, w)

    # validity: nodata value, NaN, an internal mask, an alpha band, or nothing
    choices = ["none", "nodata", "mask"]
    if np.dtype(dtype).kind == "f":
        choices.append("nan")
    if bands in (2, 4) and compression not in ("jpeg",):
        choices.append("alpha")
    if compression == "jpeg":
        choices = ["none", "mask"]
    validity = r.choice(choices)
    feats.append("validity=" + validity)
    hole = np.zeros((h, w), dtype=bool)
    if h > 4 and w > 4:
        # an irregular invalid region: a disc plus a band along one edge
        yy, xx = np.mgrid[0:h, 0:w]
        cxp, cyp, rad = r.uniform(0, w), r.uniform(0, h), r.uniform(0.1, 0.35) * min(w, h)
        hole = (xx - cxp) ** 2 + (yy - cyp) ** 2 < rad**2
        hole |= xx < r.randint(0, max(1, w // 8))
    nodata = None
    if validity == "nodata":
        nodata = 0 if np.dtype(dtype).kind != "f" else -9999.0
        if dtype == "int8":
            nodata = -128
        for b in range(bands):
            data[b][hole] = nodata
    elif validity == "nan":
        nodata = float("nan")
        for b in range(bands):
            data[b][hole] = np.nan
    elif validity == "alpha":
        alpha_max = np.iinfo(dtype).max if np.dtype(dtype).kind in "ui" else 255
        data[-1] = np.where(hole, 0, alpha_max).astype(dtype)

    # overviews
    ov_kind = r.choice(["none", "pow2", "pow2", "pow2", "pow3", "single"])
    if min(w, h) < 64:
        ov_kind = "none"
    factors = []
    if ov_kind == "pow2":
        f = 2
        while max(w, h) / f >= max(bx, by) / 2 and f <= 64:
            factors.append(f)
            f *= 2
    elif ov_kind == "pow3":
        f = 3
        while max(w, h) / f >= 64 and f <= 81:
            factors.append(f)
            f *= 3
    elif ov_kind == "single":
        factors = [r.choice([2, 4, 5])]
    if not factors:
        ov_kind = "none"
    feats.append("overviews=" + ov_kind)
    ov_resampling = r.choice([Resampling.nearest, Resampling.average])

    interleave = "pixel" if bands == 1 or r.random() < 0.7 else "band"
    if compression in ("jpeg", "webp"):
        interleave = "pixel"
    if bands > 1:
        feats.append("interleave=" + interleave)
    bigtiff = r.random() < 0.15
    big_endian = r.random() < 0.12 and compression not in ("jpeg", "webp")
    sparse = r.random() < 0.12 and validity in ("nodata", "nan", "none") and compression != "jpeg"
    if bigtiff:
        feats.append("bigtiff")
    if big_endian:
        feats.append("big-endian")
    if sparse:
        feats.append("sparse")
        # whole empty blocks: a sparse file leaves them out, readers return nodata (or 0)
        fill = nodata if nodata is not None else 0
        for j in range(0, h, by):
            for i in range(0, w, bx):
                if r.random() < 0.4:
                    data[:, j:j + by, i:i + bx] = fill

    predictor = 1
    if compression in ("deflate", "lzw", "zstd"):
        predictor = r.choice([1, 2, 3] if np.dtype(dtype).kind == "f" else [1, 2])
        if predictor != 1:
            feats.append("predictor=%d" % predictor)

    path = os.path.join(outdir, "seed-%d.tif" % seed)
    profile = dict(driver="MEM", width=w, height=h, count=bands, dtype=dtype, transform=transform,
                   crs=CRS.from_user_input(crs_def))
    if nodata is not None:
        profile["nodata"] = nodata
    with rasterio.Env(GDAL_TIFF_INTERNAL_MASK=True):
        with rasterio.open("/vsimem/gen-%d" % seed, "w", **profile) as mem:
            mem.write(data)
            if validity == "mask":
                mem.write_mask(np.where(hole, 0, 255).astype("uint8"))
            if validity == "alpha":
                ci = list(mem.colorinterp)
                ci[-1] = rasterio.enums.ColorInterp.alpha
                if bands == 4:
                    ci[:3] = [rasterio.enums.ColorInterp.red, rasterio.enums.ColorInterp.green,
                              rasterio.enums.ColorInterp.blue]
                mem.colorinterp = ci
            if factors:
                mem.build_overviews(factors, ov_resampling)
            opts = dict(driver="GTiff", TILED="YES", BLOCKXSIZE=bx, BLOCKYSIZE=by, COPY_SRC_OVERVIEWS="YES",
                        INTERLEAVE=interleave.upper(), BIGTIFF="YES" if bigtiff else "NO")
            if compression != "none":
                opts["COMPRESS"] = compression.upper()
            if compression == "jpeg":
                opts["QUALITY"] = 90
                if bands == 3 and r.random() < 0.6:
                    opts["PHOTOMETRIC"] = "YCBCR"
                    feats.append("ycbcr")
            if compression == "webp":
                opts["WEBP_LOSSLESS"] = "YES" if r.random() < 0.5 else "NO"
            if compression.startswith("lerc"):
                opts["MAX_Z_ERROR"] = 0
            if predictor != 1:
                opts["PREDICTOR"] = predictor
            if big_endian:
                opts["ENDIANNESS"] = "BIG"
            if sparse:
                opts["SPARSE_OK"] = "TRUE"
            if validity == "alpha":
                if bands == 4:
                    opts["PHOTOMETRIC"] = "RGB"
                opts["ALPHA"] = "UNASSOCIATED"
            rasterio.shutil.copy(mem, path, **opts)
    return Spec(seed=seed, path=path, features=feats, crs_name=crs_name)


import rasterio.shutil  # noqa: E402  (submodules: import them explicitly)
import rasterio.windows  # noqa: E402
