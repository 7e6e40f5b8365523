"""Seeded random requests on one generated file, and rio-tiler's answer to each.

A request is a small dict: its kind, the cogtiler URL path + query, and the keyword arguments of the
matching rio-tiler call. `answer` runs that call and encodes the result as TiTiler would (the `.npy`
body for images, the JSON model for points and statistics), or the HTTP status TiTiler maps its
exception to (`titiler.core.errors.DEFAULT_STATUS_CODES`).
"""

import io
import math
import random
import urllib.parse
import warnings

import morecantile
import numpy as np
from rio_tiler import errors as rt_errors
from rio_tiler.constants import WGS84_CRS
from rio_tiler.io import Reader
from rio_tiler.utils import render

# TileMatrixSets both servers ship, weighted towards the web map default.
TMS_IDS = ["WebMercatorQuad"] * 6 + ["WorldCRS84Quad", "WGS1984Quad", "WorldMercatorWGS84Quad",
                                     "EuropeanETRS89_LAEAQuad", "UTM31WGS84Quad", "UPSArcticWGS84Quad",
                                     "UPSAntarcticWGS84Quad", "NZTM2000Quad", "CanadianNAD83_LCC"]
RESAMPLING = ["nearest"] * 6 + ["bilinear", "cubic", "cubic_spline", "lanczos", "average", "mode", "gauss", "rms"]
REPROJECT = ["nearest"] * 6 + ["bilinear", "cubic", "cubic_spline", "lanczos", "average", "mode", "min", "max",
                               "med", "q1", "q3", "sum", "rms"]
KINDS = ["tile"] * 6 + ["part", "part", "preview", "point", "statistics"]

STATUS = [
    (rt_errors.TileOutsideBounds, 404),
    # TiTiler's PointOutsideBounds is not in its status table, so it falls through to a 500;
    # cogtiler deliberately answers 400 (README, "Compatibility with TiTiler").
    (rt_errors.PointOutsideBounds, 400),
    (rt_errors.InvalidBandName, 404),
    (rt_errors.MissingBands, 400),
    (rt_errors.InvalidExpression, 400),
]


def _tms(tms_id):
    return morecantile.tms.get(tms_id)


def _pick_point(r, bounds):
    w, s, e, n = bounds
    if e < w:  # crosses the antimeridian
        e += 360.0
    lon = r.uniform(w, e)
    if lon > 180.0:
        lon -= 360.0
    return lon, r.uniform(s, n)


def make_requests(seed, spec, count):
    """`count` requests on `spec`'s file, all decided by `seed`."""
    r = random.Random(seed * 7919 + 17)
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with Reader(spec.path) as src:
            geo = src.get_geographic_bounds(WGS84_CRS)
            native_bounds = src.bounds
            native_crs = src.crs
        for i in range(count):
            kind = r.choice(KINDS)
            res = r.choice(RESAMPLING)
            rep = r.choice(REPROJECT)
            q = {"url": spec.path}
            if kind == "tile":
                tms_id = r.choice(TMS_IDS)
                tms = _tms(tms_id)
                try:
                    with Reader(spec.path, tms=tms) as src:
                        zmin, zmax = src.minzoom, src.maxzoom
                except Exception:
                    zmin, zmax = 0, 0
                z = r.randint(max(tms.minzoom, zmin - 2), min(max(zmin, zmax) + 2, tms.maxzoom))
                lon, lat = _pick_point(r, geo)
                try:
                    t = tms.tile(lon, lat, z)
                except Exception:
                    continue
                ts = r.choice([256, 256, 256, 512, 200])
                q.update(tilesize=ts, resampling=res, reproject=rep)
                path = "/cog/tiles/%s/%d/%d/%d.npy" % (tms_id, t.z, t.x, t.y)
                call = ("tile", dict(tms=tms_id, x=t.x, y=t.y, z=t.z, tilesize=ts, resampling_method=res,
                                     reproject_method=rep))
                desc = "tile %s/%d/%d/%d ts=%d res=%s rep=%s" % (tms_id, t.z, t.x, t.y, ts, res, rep)
            elif kind == "part":
                in_native = r.random() < 0.5
                b = native_bounds if in_native else geo
                x0, x1 = sorted(r.uniform(b[0], b[2]) for _ in range(2))
                y0, y1 = sorted(r.uniform(b[1], b[3]) for _ in range(2))
                if x1 - x0 < (b[2] - b[0]) * 0.05 or y1 - y0 < (b[3] - b[1]) * 0.05:
                    x0, y0, x1, y1 = b
                bbox = (x0, y0, x1, y1)
                coord_crs = native_crs.to_string() if in_native else "EPSG:4326"
                dst_crs = None
                if r.random() < 0.3:
                    dst_crs = r.choice(["EPSG:3857", "EPSG:4326"])
                w = h = None
                if r.random() < 0.7:
                    w, h = r.randint(16, 512), r.randint(16, 512)
                q.update(coord_crs=coord_crs, resampling=res, reproject=rep)
                if dst_crs:
                    q["dst_crs"] = dst_crs
                coords = ",".join(repr(float(v)) for v in bbox)
                path = "/cog/bbox/%s/%dx%d.npy" % (coords, w, h) if w else "/cog/bbox/%s.npy" % coords
                kw = dict(bbox=bbox, bounds_crs=coord_crs, resampling_method=res, reproject_method=rep,
                          width=w, height=h, max_size=None)
                if dst_crs:
                    kw["dst_crs"] = dst_crs
                call = ("part", kw)
                desc = "part %s in %s %s dst=%s res=%s rep=%s" % (
                    coords, coord_crs, "%dx%d" % (w, h) if w else "native", dst_crs, res, rep)
            elif kind == "preview":
                m = r.choice([64, 128, 256, 300, 512, 1024])
                q.update(max_size=m, resampling=res)
                path = "/cog/preview.npy"
                call = ("preview", dict(max_size=m, resampling_method=res))
                desc = "preview max_size=%d res=%s" % (m, res)
            elif kind == "point":
                lon, lat = _pick_point(r, geo)
                path = "/cog/point/%r,%r" % (lon, lat)
                call = ("point", dict(lon=lon, lat=lat))
                desc = "point %r,%r" % (lon, lat)
            else:
                m = r.choice([128, 256, 512, 1024])
                q.update(max_size=m, resampling=res)
                path = "/cog/statistics"
                call = ("statistics", dict(max_size=m, resampling_method=res))
                desc = "statistics max_size=%d res=%s" % (m, res)
            out.append(dict(index=i, kind=kind, path=path, query=q, call=call, desc=desc))
    return out


def answer(spec, req):
    """rio-tiler's answer: (status, kind, payload). payload is npy bytes, or a JSON-like value."""
    name, kw = req["call"]
    kw = dict(kw)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tms = _tms(kw.pop("tms", "WebMercatorQuad"))
            with Reader(spec.path, tms=tms) as src:
                if name == "tile":
                    img = src.tile(kw.pop("x"), kw.pop("y"), kw.pop("z"), **kw)
                elif name == "part":
                    img = src.part(**kw)
                elif name == "preview":
                    img = src.preview(**kw)
                elif name == "point":
                    pt = src.point(kw["lon"], kw["lat"])
                    return 200, "json", {"values": pt.array.tolist()}
                else:
                    stats = src.statistics(**kw)
                    return 200, "json", {k: v.model_dump() for k, v in stats.items()}
        return 200, "npy", render(img.data, img.mask, img_format="NPY")
    except Exception as exc:  # noqa: BLE001 -- every exception is an HTTP status in TiTiler
        for cls, status in STATUS:
            if isinstance(exc, cls):
                return status, "error", str(exc)
        return 500, "error", "%s: %s" % (type(exc).__name__, exc)


def url(server, req):
    return server + req["path"] + "?" + urllib.parse.urlencode(req["query"])


def npy_planes(body):
    """(data (bands, h, w), valid mask (h, w)) from a TiTiler `.npy` body (mask as the last band)."""
    arr = np.load(io.BytesIO(body), allow_pickle=False)
    data, mask = arr[:-1], arr[-1]
    if mask.dtype.kind == "f":
        valid = mask > 0
    else:
        lo = np.iinfo(mask.dtype).min
        valid = mask > lo if lo < 0 else mask > 0
    return data, valid


def compare_images(ours, theirs, tol):
    """None when within compare.py's lossless tolerances, else a short reason."""
    a, am = npy_planes(ours)
    b, bm = npy_planes(theirs)
    if a.shape != b.shape:
        return "shape %s != %s" % (a.shape, b.shape)
    if a.dtype != b.dtype:
        return "dtype %s != %s" % (a.dtype, b.dtype)
    agree = float(np.mean(am == bm)) if am.size else 1.0
    valid = am & bm
    av, bv = a[:, valid].astype(np.float64), b[:, valid].astype(np.float64)
    if av.size:
        if a.dtype.kind == "f":
            close = np.isclose(av, bv, rtol=tol["float_rel"], atol=tol["float_abs"]) | (np.isnan(av) & np.isnan(bv))
        else:
            close = np.abs(av - bv) <= tol["max_diff"]
        frac = float(np.mean(np.all(close, axis=0)))
        if frac < tol["pixel_fraction"]:
            return "pixels within tolerance %.2f%% < %.0f%% (mask agreement %.2f%%)" % (
                frac * 100, tol["pixel_fraction"] * 100, agree * 100)
    if agree < tol["mask_fraction"]:
        return "mask agreement %.2f%% < %.0f%%" % (agree * 100, tol["mask_fraction"] * 100)
    return None


def _close(a, b, rel, abs_):
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return math.isclose(a, b, rel_tol=rel, abs_tol=abs_)


def compare_json(ours, theirs, tol, path="$"):
    """None when equal within compare.py's statistics tolerance, else the first difference."""
    if isinstance(theirs, dict):
        if not isinstance(ours, dict):
            return "%s: %r is not an object" % (path, ours)
        for k, v in theirs.items():
            if k not in ours:
                return "%s.%s missing" % (path, k)
            d = compare_json(ours[k], v, tol, "%s.%s" % (path, k))
            if d:
                return d
        return None
    if isinstance(theirs, list):
        if not isinstance(ours, list) or len(ours) != len(theirs):
            return "%s: %r != %r" % (path, ours, theirs)
        for i, (x, y) in enumerate(zip(ours, theirs)):
            d = compare_json(x, y, tol, "%s[%d]" % (path, i))
            if d:
                return d
        return None
    if isinstance(theirs, (int, float)) and isinstance(ours, (int, float)):
        ok = _close(float(ours), float(theirs), tol["stats_rel"], tol["abs"])
        return None if ok else "%s: %r != %r" % (path, ours, theirs)
    return None if ours == theirs else "%s: %r != %r" % (path, ours, theirs)
