#!/usr/bin/env python3
"""GDAL-written GeoTIFFs with user-defined CRSs: their GeoKeys and the WKT GDAL reads back.

Run in a scratch directory with rasterio 1.4.4 (GDAL 3.10.3):
    python3 tools/geotiff_wkt_reference.py > tests/data/geotiff_wkt.json
"""
import rasterio, numpy as np, json, sys, warnings
from rasterio.crs import CRS
from rasterio.transform import from_origin
warnings.simplefilter("ignore")
sys.path.insert(0, __import__("os").path.dirname(__file__))
defs = {
 "moon_geographic": 'GEOGCS["Moon 2000",DATUM["D_Moon_2000",SPHEROID["Moon_2000_IAU_IAG",1737400,0]],PRIMEM["Reference_Meridian",0],UNIT["degree",0.0174532925199433]]',
 "lcc2sp_usft": "+proj=lcc +lat_0=39 +lon_0=-96 +lat_1=33 +lat_2=45 +x_0=304.8006096012192 +y_0=0 +datum=NAD83 +units=us-ft +no_defs",
 "lcc1sp": "+proj=lcc +lat_1=45 +lat_0=45 +lon_0=10 +k_0=0.9995 +x_0=500000 +y_0=200000 +ellps=intl +no_defs",
 "tmerc_custom": "+proj=tmerc +lat_0=10 +lon_0=33 +k=0.9999 +x_0=200000 +y_0=-100000 +ellps=WGS84 +no_defs",
 "aea_custom": "+proj=aea +lat_0=40 +lon_0=-100 +lat_1=30 +lat_2=50 +x_0=10 +y_0=20 +ellps=GRS80 +no_defs",
 "laea_custom": "+proj=laea +lat_0=45 +lon_0=-100 +x_0=0 +y_0=0 +ellps=WGS84 +no_defs",
 "stere_polar_b": "+proj=stere +lat_0=90 +lat_ts=60 +lon_0=-100 +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +no_defs",
 "stere_polar_a": "+proj=stere +lat_0=-90 +lon_0=0 +k=0.97 +x_0=0 +y_0=0 +ellps=WGS84 +no_defs",
 "merc_custom": "+proj=merc +lon_0=100 +k=1 +x_0=0 +y_0=0 +ellps=WGS84 +no_defs",
 "merc_2sp": "+proj=merc +lat_ts=30 +lon_0=0 +x_0=0 +y_0=0 +ellps=WGS84 +no_defs",
 "eqc_mars": "+proj=eqc +lat_ts=0 +lat_0=0 +lon_0=0 +x_0=0 +y_0=0 +R=3396190 +units=m +no_defs",
 "sterea": "+proj=sterea +lat_0=52 +lon_0=5 +k=0.9999 +x_0=155000 +y_0=463000 +ellps=bessel +no_defs",
 "modis_sinusoidal": "+proj=sinu +lon_0=0 +x_0=0 +y_0=0 +R=6371007.181 +units=m +no_defs",
 "cassini": "+proj=cass +lat_0=10.4416666666667 +lon_0=-61.3333333333333 +x_0=86501.46392052 +y_0=65379.0134283 +ellps=clrk80 +units=m +no_defs",
 "omerc_variant_a": "+proj=omerc +lat_0=4 +lonc=102.25 +alpha=323.0257905 +k=0.99984 +x_0=804671 +y_0=0 +no_uoff +gamma=323.1301023611111 +ellps=GRS80 +units=m +no_defs",
 "omerc_variant_b": "+proj=omerc +lat_0=4 +lonc=102.25 +alpha=323.0257905 +k=0.99984 +x_0=804671 +y_0=0 +gamma=323.1301023611111 +ellps=GRS80 +units=m +no_defs",
 "utm_unknown_datum": "+proj=utm +zone=52 +ellps=WGS84 +units=m +no_defs",
}
import geokeys_dump as gk
out = []
for name, d in defs.items():
    crs = CRS.from_user_input(d)
    path = f"{name}.tif"
    with rasterio.open(path, "w", driver="GTiff", width=4, height=4, count=1, dtype="uint8", crs=crs, transform=from_origin(0, 0, 1, 1)) as dst:
        dst.write(np.zeros((1, 4, 4), dtype="uint8"))
    with rasterio.open(path) as src:
        wkt = src.crs.to_wkt()
        epsg = src.crs.to_epsg()
    keys, _ = gk.read(path)
    enc = {}
    for k, v in keys.items():
        if isinstance(v, str): enc[str(k)] = {"ascii": v}
        elif isinstance(v, list): enc[str(k)] = {"double": v}
        else: enc[str(k)] = {"short": v}
    out.append({"name": name, "keys": enc, "gdal_wkt": wkt, "epsg": epsg})
json.dump(out, sys.stdout, indent=1)
