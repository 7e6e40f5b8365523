#!/usr/bin/env python3
"""Reference values for cogtiler's crs/tms tests, computed with the reference stack.

Run with pyproj (PROJ 9), rasterio 1.4 (GDAL 3.10) and morecantile 7 installed:

    pip install pyproj rasterio==1.4.4 morecantile==7.0.3
    python3 tools/geo_reference.py > tests/data/geo_reference.json

The Rust tests (tests/geo.rs) read the JSON and assert cogtiler agrees within 1 mm /
1e-9 degree (points), or to the last bits where GDAL's arithmetic is replicated.
"""
import glob
import json
import math
import os
import sys
import warnings

import morecantile
import pyproj
import rasterio
from rasterio.crs import CRS
from rasterio.warp import calculate_default_transform, transform_bounds

warnings.simplefilter("ignore")

CORPUS = os.environ.get("CORPUS", "/work/shared/conformance/corpus")

# (crs, geographic sample points in lon/lat) -- points inside each CRS's area of use.
POINT_SETS = {
    "EPSG:3857": [(2.35, 48.85), (-122.4, 37.8), (139.7, 35.7), (-179.9, -84.0), (0.0, 0.0)],
    "EPSG:3395": [(2.35, 48.85), (-122.4, 37.8), (170.0, -60.0)],
    "EPSG:32631": [(1.5, 42.5), (4.9, 52.37), (3.0, 0.5), (0.1, 70.0)],
    "EPSG:32755": [(144.96, -37.81), (149.13, -35.28), (147.0, -10.0)],
    "EPSG:32621": [(-57.5, 74.5), (-60.0, 10.0)],
    "EPSG:32660": [(177.0, 52.0), (179.9, 60.0)],
    "EPSG:32610": [(-123.0, 47.8)],
    "EPSG:32617": [(-81.3, 34.1)],
    "EPSG:26913": [(-105.2, 38.9), (-104.0, 40.0)],
    "EPSG:3035": [(9.48, 51.31), (-9.1, 38.7), (26.0, 64.0)],
    "EPSG:3978": [(-75.7, 45.4), (-123.1, 49.3), (-95.0, 70.0)],
    "EPSG:2193": [(170.14, -43.59), (174.78, -41.29), (172.5, -34.4)],
    "EPSG:5482": [(166.67, -77.85), (0.0, -85.0), (-60.0, -70.0)],
    "EPSG:5041": [(0.0, 89.0), (-45.0, 85.0), (120.0, 70.0)],
    "EPSG:5042": [(0.0, -89.0), (166.0, -78.0), (-120.0, -70.0)],
    "EPSG:3413": [(0.0, 88.0), (-45.0, 75.0), (100.0, 80.0)],
    "EPSG:3031": [(175.0, -80.0), (0.0, -70.0), (-100.0, -85.0)],
    "EPSG:5070": [(-105.6, 39.9), (-80.0, 30.0), (-120.0, 48.0)],
    "EPSG:27700": [(-0.12, 51.5), (-3.2, 55.95), (-5.0, 50.1)],
    "EPSG:4269": [(-100.0, 40.0)],
    "EPSG:4258": [(10.0, 50.0)],
    "EPSG:25832": [(9.48, 51.31)],
    "EPSG:32733": [(15.0, -20.0)],
    "EPSG:3995": [(0.0, 80.0)],
    "EPSG:3577": [(133.0, -25.0)],
}


def table_codes():
    """Every EPSG code of src/crs/epsg.rs (single entries and UTM families)."""
    import re
    here = os.path.dirname(os.path.abspath(__file__))
    text = open(os.path.join(here, "..", "src", "crs", "epsg.rs")).read()
    body = text.split("pub fn lookup", 1)[1].split("pub fn geodetic_code", 1)[0]
    codes = set()
    for m in re.finditer(r"^\s+((?:\d+\s*\|\s*)*\d+)\s*=>", body, re.M):
        codes.update(int(c) for c in re.findall(r"\d+", m.group(1)))
    for lo, hi in [(32601, 32660), (32701, 32760), (26901, 26923), (25828, 25838), (28348, 28358), (7846, 7859)]:
        codes.update(range(lo, hi + 1))
    return sorted(codes)


def area_points(code):
    """Three points inside the CRS's area of use: centre and two inner corners."""
    aou = pyproj.CRS.from_epsg(code).area_of_use
    w, s, e, n = aou.west, aou.south, aou.east, aou.north
    if e < w:
        e += 360
    pts = []
    for fx, fy in [(0.5, 0.5), (0.2, 0.25), (0.8, 0.75)]:
        lon = w + (e - w) * fx
        if lon > 180:
            lon -= 360
        pts.append((lon, s + (n - s) * fy))
    return pts


def table_points():
    """Forward and inverse for every table entry at points in its area of use."""
    out = []
    wgs = pyproj.CRS.from_epsg(4326)
    for code in table_codes():
        crs = pyproj.CRS.from_epsg(code)
        if crs.is_geographic:
            continue
        pts = area_points(code)
        fwd = pyproj.Transformer.from_crs(wgs, crs, always_xy=True)
        xs, ys = fwd.transform([p[0] for p in pts], [p[1] for p in pts])
        out.append({"src": "EPSG:4326", "dst": f"EPSG:{code}", "input": pts, "output": list(zip(xs, ys)), "table": True})
    return out


def points():
    out = table_points()
    wgs = pyproj.CRS.from_epsg(4326)
    for crs, pts in POINT_SETS.items():
        fwd = pyproj.Transformer.from_crs(wgs, pyproj.CRS.from_user_input(crs), always_xy=True)
        xs, ys = fwd.transform([p[0] for p in pts], [p[1] for p in pts])
        out.append({"src": "EPSG:4326", "dst": crs, "input": pts, "output": list(zip(xs, ys))})
        # and back, from the projected coordinates
        inv = pyproj.Transformer.from_crs(pyproj.CRS.from_user_input(crs), wgs, always_xy=True)
        lons, lats = inv.transform(xs, ys)
        out.append({"src": crs, "dst": "EPSG:4326", "input": list(zip(xs, ys)), "output": list(zip(lons, lats))})
    # user-defined projections from GeoKeys, as proj strings
    for proj, pts in [
        ("+proj=sinu +lon_0=0 +x_0=0 +y_0=0 +R=6371007.181 +units=m +no_defs", [(10.0, 45.0), (-120.0, -30.0), (170.0, 5.0)]),
        ("+proj=eqc +lat_ts=0 +lat_0=0 +lon_0=0 +x_0=0 +y_0=0 +datum=WGS84 +units=m +no_defs", [(10.0, 45.0), (-170.0, -60.0)]),
        ("+proj=cass +lat_0=10.4416666666667 +lon_0=-61.3333333333333 +x_0=86501.46392052 +y_0=65379.0134283 +ellps=WGS84 +units=m +no_defs", [(-61.3, 10.5), (-61.0, 10.2)]),
        ("+proj=lcc +lat_1=45 +lat_0=45 +lon_0=10 +k_0=0.9995 +x_0=500000 +y_0=200000 +ellps=WGS84 +units=m +no_defs", [(10.0, 45.0), (12.0, 47.0)]),
        ("+proj=tmerc +lat_0=0 +lon_0=-90 +k=0.9996 +x_0=500000 +y_0=0 +ellps=GRS80 +units=us-ft +no_defs", [(-90.5, 40.0), (-88.0, 30.0)]),
        ("+proj=stere +lat_0=90 +lat_ts=60 +lon_0=-100 +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +units=m +no_defs", [(-100.0, 70.0), (20.0, 80.0)]),
        ("+proj=aea +lat_0=40 +lon_0=-100 +lat_1=30 +lat_2=50 +x_0=10 +y_0=20 +ellps=WGS84 +units=m +no_defs", [(-100.0, 40.0), (-80.0, 25.0)]),
        ("+proj=omerc +lat_0=4 +lonc=102.25 +alpha=323.0257905 +gamma=323.1301023611111 +k=0.99984 +x_0=804671 +y_0=0 +no_uoff +ellps=GRS80 +units=m +no_defs", [(101.5, 3.1), (103.0, 5.5)]),
        ("+proj=omerc +lat_0=4 +lonc=102.25 +alpha=323.0257905 +gamma=323.1301023611111 +k=0.99984 +x_0=804671 +y_0=0 +ellps=GRS80 +units=m +no_defs", [(101.5, 3.1), (103.0, 5.5)]),
    ]:
        t = pyproj.Transformer.from_crs(pyproj.CRS.from_epsg(4326), pyproj.CRS.from_user_input(proj), always_xy=True)
        xs, ys = t.transform([p[0] for p in pts], [p[1] for p in pts])
        out.append({"src": "EPSG:4326", "dst": proj, "input": pts, "output": list(zip(xs, ys))})
    # projected -> projected (what tile warping does)
    for src, dst, pts in [
        ("EPSG:32631", "EPSG:3857", [(357900.0, 4727220.0), (500000.0, 5000000.0)]),
        ("EPSG:3035", "EPSG:3857", [(4284414.0, 3134378.0)]),
        ("EPSG:27700", "EPSG:3857", [(529026.0, 182220.0)]),
        ("EPSG:2193", "EPSG:3857", [(1353810.0, 5183940.0)]),
        ("EPSG:3413", "EPSG:3857", [(-480000.0, 480000.0)]),
        ("EPSG:3857", "EPSG:32755", [(16137000.0, -4553000.0)]),
        ("EPSG:5070", "EPSG:3857", [(-838560.0, 1906410.0)]),
    ]:
        t = pyproj.Transformer.from_crs(pyproj.CRS.from_user_input(src), pyproj.CRS.from_user_input(dst), always_xy=True)
        xs, ys = t.transform([p[0] for p in pts], [p[1] for p in pts])
        out.append({"src": src, "dst": dst, "input": pts, "output": list(zip(xs, ys))})
    return out


def corpus_datasets():
    files = sorted(glob.glob(os.path.join(CORPUS, "*.tif")) + glob.glob(os.path.join(CORPUS, "external", "*.tif")))
    for f in files:
        try:
            with rasterio.open(f) as src:
                if src.crs is None or src.crs.to_epsg() is None or src.gcps[0]:
                    continue
                yield os.path.relpath(f, CORPUS), src.crs.to_epsg(), src.width, src.height, list(src.bounds)
        except Exception:
            continue


def bounds_and_warp():
    bounds, warp = [], []
    for name, epsg, w, h, b in corpus_datasets():
        src = f"EPSG:{epsg}"
        for dst in ["EPSG:4326", "EPSG:3857"]:
            try:
                tb = transform_bounds(CRS.from_user_input(src), CRS.from_user_input(dst), *b, densify_pts=21)
                bounds.append({"dataset": name, "src": src, "dst": dst, "bounds": b, "densify": 21, "expected": list(tb)})
            except Exception as e:
                bounds.append({"dataset": name, "src": src, "dst": dst, "bounds": b, "densify": 21, "error": str(e)})
            if src == dst:
                continue
            try:
                tr, ww, hh = calculate_default_transform(CRS.from_user_input(src), CRS.from_user_input(dst), w, h, *b)
                warp.append({
                    "dataset": name, "src": src, "dst": dst, "width": w, "height": h, "bounds": b,
                    "geotransform": list(tr.to_gdal()), "out_width": ww, "out_height": hh,
                })
            except Exception as e:
                warp.append({"dataset": name, "src": src, "dst": dst, "width": w, "height": h, "bounds": b, "error": str(e)})
    # extra cases: antimeridian and poles
    for src, dst, b in [
        ("EPSG:4326", "EPSG:3857", [176.0, -20.0, 184.0, -15.0]),
        ("EPSG:3413", "EPSG:4326", [-480000.0, -480000.0, 480000.0, 480000.0]),
        ("EPSG:3031", "EPSG:4326", [-341500.0, -1200000.0, 400000.0, -720000.0]),
        ("EPSG:32660", "EPSG:4326", [570635.0, 5612000.0, 803000.0, 5847564.0]),
        ("EPSG:32601", "EPSG:4326", [166021.0, 5500000.0, 700000.0, 6000000.0]),
        ("EPSG:3857", "EPSG:4326", [-20037508.342789244, -20037508.342789244, 20037508.342789244, 20037508.342789244]),
        ("EPSG:5041", "EPSG:4326", [0.0, 0.0, 4000000.0, 4000000.0]),
    ]:
        try:
            tb = transform_bounds(CRS.from_user_input(src), CRS.from_user_input(dst), *b, densify_pts=21)
            bounds.append({"dataset": None, "src": src, "dst": dst, "bounds": b, "densify": 21, "expected": list(tb)})
        except Exception as e:
            bounds.append({"dataset": None, "src": src, "dst": dst, "bounds": b, "densify": 21, "error": str(e)})
    return bounds, warp


TILES = {
    "WebMercatorQuad": [(8514, 5816, 14), (0, 0, 0), (1, 0, 1), (486, 332, 10), (8388608, 8388608, 24), (33554431, 0, 25)],
    "WorldCRS84Quad": [(0, 0, 0), (1, 0, 0), (3, 1, 2), (1000, 300, 10)],
    "WGS1984Quad": [(0, 0, 0), (1, 0, 0), (3, 1, 2), (1000, 300, 10)],
    "CDB1GlobalGrid": [(0, 0, -10), (5, 0, -10), (13, 0, -10), (7, 3, -10), (359, 179, -10), (100, 90, -5), (3, 0, 0), (1439, 719, 2)],
    "GNOSISGlobalGrid": [(0, 0, 0), (3, 1, 0), (1, 0, 1), (3, 0, 1), (5, 3, 1), (10, 2, 3), (100, 50, 8)],
    "NZTM2000Quad": [(0, 0, 0), (7, 10, 5), (1000, 900, 12)],
    "LINZAntarticaMapTilegrid": [(0, 0, 0), (3, 4, 3)],
    "EuropeanETRS89_LAEAQuad": [(0, 0, 0), (17, 20, 6), (8623, 5461, 14)],
    "CanadianNAD83_LCC": [(0, 0, 0), (3, 2, 0), (40, 35, 5)],
    "UPSArcticWGS84Quad": [(0, 0, 0), (5, 6, 3)],
    "UPSAntarcticWGS84Quad": [(0, 0, 0), (5, 6, 3)],
    "UTM31WGS84Quad": [(0, 0, 1), (0, 1, 1), (20, 30, 6)],
    "WorldMercatorWGS84Quad": [(0, 0, 0), (100, 200, 9)],
}

POINTS = [(2.35, 48.85), (-122.4, 37.8), (174.78, -41.29), (9.48, 51.31), (0.0, 89.5), (170.0, -80.0), (-75.7, 45.4), (179.99, 0.0)]

RESOLUTIONS = [156543.0, 100.0, 30.0, 10.0, 1.0, 0.5, 0.075, 0.001, 1e-6, 38.21851414258813, 40.657968447481096]


def tms_reference():
    out = []
    for tid in sorted(morecantile.tms.list()):
        tms = morecantile.tms.get(tid)
        entry = {
            "id": tid,
            "minzoom": tms.minzoom,
            "maxzoom": tms.maxzoom,
            "inverted": bool(tms._invert_axis),
            "xy_bbox": list(tms.xy_bbox),
            "bbox": list(tms.bbox),
            "geographic_crs": tms.geographic_crs.to_epsg(),
            "tiles": [],
            "points": [],
            "zoom_for_res": [],
            "tiles_in_bbox": [],
            "limits": None,
        }
        for x, y, z in TILES.get(tid, []):
            e = {"tile": [x, y, z], "xy_bounds": list(tms.xy_bounds(x, y, z))}
            try:
                e["bounds"] = list(tms.bounds(x, y, z))
            except Exception as ex:
                e["bounds_error"] = str(ex)
            e["valid"] = tms.is_valid(x, y, z)
            entry["tiles"].append(e)
        for lng, lat in POINTS:
            for z in [tms.minzoom, tms.minzoom + 3, min(tms.maxzoom, 12)]:
                try:
                    t = tms.tile(lng, lat, z)
                    entry["points"].append({"lnglat": [lng, lat], "z": z, "tile": [t.x, t.y, t.z]})
                except Exception as ex:
                    entry["points"].append({"lnglat": [lng, lat], "z": z, "error": str(ex)})
        mpu = 1.0
        for r in RESOLUTIONS:
            # resolutions are given in metres; convert to TMS units for geographic grids
            crs = tms.crs._pyproj_crs
            if crs.is_geographic:
                r = r / (2 * math.pi * crs.ellipsoid.semi_major_metre / 360)
            for strategy in ["auto", "lower", "upper"]:
                entry["zoom_for_res"].append({"res": r, "strategy": strategy, "zoom": tms.zoom_for_res(r, zoom_level_strategy=strategy)})
        for (w, s, e, n), z in [((2.0, 48.0, 3.0, 49.0), 8), ((170.0, -45.0, 175.0, -40.0), 6), ((-10.0, 80.0, 10.0, 89.0), 3), ((175.0, -20.0, -175.0, -10.0), 5)]:
            zz = max(z, tms.minzoom)
            try:
                tiles = list(tms.tiles(w, s, e, n, [zz]))
                entry["tiles_in_bbox"].append({"bbox": [w, s, e, n], "z": zz, "tiles": [[t.x, t.y, t.z] for t in tiles][:500], "count": len(tiles)})
            except Exception as ex:
                entry["tiles_in_bbox"].append({"bbox": [w, s, e, n], "z": zz, "error": str(ex)})
        out.append(entry)
    return out


def main():
    bounds, warp = bounds_and_warp()
    doc = {
        "generator": "tools/geo_reference.py",
        "versions": {
            "pyproj": pyproj.__version__,
            "proj": pyproj.proj_version_str,
            "rasterio": rasterio.__version__,
            "gdal": rasterio.__gdal_version__,
            "morecantile": morecantile.__version__,
        },
        "points": points(),
        "transform_bounds": bounds,
        "calculate_default_transform": warp,
        "tms": tms_reference(),
    }
    json.dump(doc, sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
