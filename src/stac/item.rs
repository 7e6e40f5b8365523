//! The STAC Item document: assets in document order, bbox, and the projection extension.

use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;
use serde_json::{Map, Value};

use super::Error;
use crate::affine::GeoTransform;
use crate::crs::Crs;

/// Media types rio-tiler reads as rasters (assets without a type are read too).
pub const DEFAULT_VALID_TYPES: &[&str] = &[
    "image/tiff; application=geotiff",
    "image/tiff; application=geotiff; profile=cloud-optimized",
    "image/tiff; profile=cloud-optimized; application=geotiff",
    "image/vnd.stac.geotiff; cloud-optimized=true",
    "image/tiff",
    "image/x.geotiff",
    "image/jp2",
    "application/x-hdf5",
    "application/x-hdf",
];

/// One asset of an item.
#[derive(Clone, Debug)]
pub struct Asset {
    pub href: String,
    /// `type`: the media type, if the item gives one.
    pub media_type: Option<String>,
    /// Every other field (`eo:bands`, `raster:bands`, `proj:*`, ...) as written: rio-tiler
    /// calls these the asset's extra fields and returns them as the image metadata.
    pub extra: Map<String, Value>,
}

impl Asset {
    /// The bands metadata: STAC 1.1 `bands`, else `eo:bands` (1.0).
    pub fn eo_bands(&self) -> Option<&Vec<Value>> {
        self.extra
            .get("bands")
            .or_else(|| self.extra.get("eo:bands"))
            .and_then(Value::as_array)
    }

    /// `(minimum, maximum)` per band from `raster:bands[].statistics`, when every band has
    /// both (rio-tiler's `dataset_statistics`, the default rescale of non-8-bit output).
    pub fn statistics(&self) -> Option<Vec<(f64, f64)>> {
        let bands = self
            .extra
            .get("bands")
            .or_else(|| self.extra.get("raster:bands"))
            .and_then(Value::as_array)?;
        let stats: Vec<(f64, f64)> = bands
            .iter()
            .filter_map(|b| {
                let s = b.get("statistics")?;
                Some((s.get("minimum")?.as_f64()?, s.get("maximum")?.as_f64()?))
            })
            .collect();
        (!stats.is_empty() && stats.len() == bands.len()).then_some(stats)
    }
}

/// The grid the projection extension describes (rio-tiler's `_extract_proj_info`).
#[derive(Clone, Debug)]
pub struct Projection {
    pub width: usize,
    pub height: usize,
    pub bounds: [f64; 4],
    pub geotransform: GeoTransform,
    pub crs: Crs,
}

/// A parsed STAC Item.
#[derive(Clone, Debug)]
pub struct Item {
    pub id: String,
    pub bbox: Option<[f64; 4]>,
    pub geometry: Option<Value>,
    pub properties: Map<String, Value>,
    /// `stac_extensions` schema URLs.
    pub extensions: Vec<String>,
    /// Assets in document order (the order TiTiler lists them in).
    pub assets: Vec<(String, Asset)>,
    /// `renders` (render extension), entries and their parameters in document order.
    pub renders: Vec<(String, Render)>,
}

/// A JSON object read into a list, keeping the document's key order.
struct Ordered<V>(Vec<(String, V)>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Ordered<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = Ordered<T>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut m: A) -> Result<Ordered<T>, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = m.next_entry::<String, T>()? {
                    out.push((k, v));
                }
                Ok(Ordered(out))
            }
        }
        d.deserialize_map(V(std::marker::PhantomData))
    }
}

/// A render extension entry: its parameters in document order.
pub type Render = Vec<(String, Value)>;

/// Where the render extension's `renders` may sit: on the item, or in its properties.
#[derive(Deserialize)]
struct RawRenders {
    renders: Option<Ordered<Ordered<Value>>>,
    properties: Option<RawProps>,
}

#[derive(Deserialize)]
struct RawProps {
    renders: Option<Ordered<Ordered<Value>>>,
}

#[derive(Deserialize)]
struct RawItem {
    #[serde(rename = "type")]
    kind: Option<String>,
    id: Option<String>,
    bbox: Option<Vec<f64>>,
    geometry: Option<Value>,
    #[serde(default)]
    properties: Option<Map<String, Value>>,
    #[serde(default)]
    stac_extensions: Vec<String>,
    assets: Option<Ordered<Value>>,
}

impl Item {
    /// Parses an item from the document's bytes.
    pub fn parse(bytes: &[u8]) -> Result<Item, Error> {
        let raw: RawItem = serde_json::from_slice(bytes)
            .map_err(|e| Error::NotAnItem(format!("not a STAC Item: {e}")))?;
        if raw.kind.as_deref() != Some("Feature") {
            return Err(Error::NotAnItem(
                "not a STAC Item: `type` must be \"Feature\"".into(),
            ));
        }
        let assets = raw
            .assets
            .ok_or_else(|| Error::NotAnItem("not a STAC Item: no `assets`".into()))?
            .0
            .into_iter()
            .map(|(name, v)| {
                let Value::Object(mut m) = v else {
                    return Err(Error::NotAnItem(format!(
                        "not a STAC Item: asset {name:?} is not an object"
                    )));
                };
                let href = match m.remove("href") {
                    Some(Value::String(h)) => h,
                    _ => {
                        return Err(Error::NotAnItem(format!(
                            "not a STAC Item: asset {name:?} has no `href`"
                        )))
                    }
                };
                let media_type = match m.remove("type") {
                    Some(Value::String(t)) => Some(t),
                    _ => None,
                };
                for k in ["title", "description", "roles"] {
                    m.remove(k);
                }
                Ok((
                    name,
                    Asset {
                        href,
                        media_type,
                        extra: m,
                    },
                ))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let properties = raw.properties.unwrap_or_default();
        // `renders` on the item (render extension 2.x) or in its properties (1.x); a
        // malformed one is no renders, not a broken item
        let renders = serde_json::from_slice::<RawRenders>(bytes)
            .ok()
            .and_then(|r| r.renders.or(r.properties.and_then(|p| p.renders)))
            .map(|r| r.0.into_iter().map(|(k, v)| (k, v.0)).collect())
            .unwrap_or_default();
        Ok(Item {
            id: raw.id.unwrap_or_default(),
            bbox: raw.bbox.and_then(|b| (b.len() >= 4).then(|| bbox2d(&b))),
            geometry: raw.geometry,
            properties,
            extensions: raw.stac_extensions,
            assets,
            renders,
        })
    }

    /// The asset called `name`.
    pub fn asset(&self, name: &str) -> Option<&Asset> {
        self.assets.iter().find(|(n, _)| n == name).map(|(_, a)| a)
    }

    /// Names of the assets rio-tiler can read: a raster media type, or no type at all.
    pub fn raster_assets(&self) -> Vec<&str> {
        self.assets
            .iter()
            .filter(|(_, a)| {
                a.media_type
                    .as_deref()
                    .is_none_or(|t| DEFAULT_VALID_TYPES.contains(&t) || t == COG_TYPE)
            })
            .map(|(n, _)| n.as_str())
            .collect()
    }

    /// Checks that `name` is a readable asset, with TiTiler's message when it is not.
    pub fn check_asset(&self, name: &str) -> Result<&Asset, Error> {
        let valid = self.raster_assets();
        if !valid.contains(&name) {
            return Err(Error::InvalidAssetName {
                name: name.to_string(),
                valid: crate::pyrepr::py_repr_json(&Value::from(valid.clone())),
            });
        }
        self.asset(name).ok_or_else(|| Error::InvalidAssetName {
            name: name.to_string(),
            valid: crate::pyrepr::py_repr_json(&Value::from(valid.clone())),
        })
    }

    /// The absolute location of an asset: hrefs may be absolute URLs or paths, or relative to
    /// the item's own URL (as STAC says).
    pub fn asset_url(asset: &Asset, item_url: &str) -> Result<String, Error> {
        let href = asset.href.as_str();
        let err = || Error::Href {
            href: href.to_string(),
            base: item_url.to_string(),
        };
        if href.contains("://") || href.starts_with('/') {
            return Ok(href.to_string());
        }
        if item_url.contains("://") {
            let base = url::Url::parse(item_url).map_err(|_| err())?;
            return base.join(href).map(|u| u.to_string()).map_err(|_| err());
        }
        // a local item path: relative to its directory, `..` resolved lexically
        let dir = std::path::Path::new(item_url)
            .parent()
            .unwrap_or(std::path::Path::new(""));
        let mut parts: Vec<String> = dir
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        for seg in href.split('/') {
            match seg {
                "" | "." => {}
                ".." if parts.last().is_some_and(|p| p != ".." && p != "/") => {
                    parts.pop();
                }
                s => parts.push(s.to_string()),
            }
        }
        let joined = parts.join("/");
        Ok(joined.replacen("//", "/", 1))
    }

    /// Whether the item declares the projection extension.
    fn has_proj(&self) -> bool {
        self.extensions
            .iter()
            .any(|e| e.contains("stac-extensions.github.io/projection/"))
    }

    /// The item's grid from the projection extension, as rio-tiler derives it: from the
    /// selected assets' `proj:transform`/`proj:shape` when they share one CRS (the union of
    /// their bounds at the finest resolution), else from the item's own `proj:*`.
    pub fn projection(&self, assets: &[&str]) -> Option<Projection> {
        if !self.has_proj() {
            return None;
        }
        let item_crs = crs_string(&self.properties);
        let mut per_asset = Vec::new();
        for name in assets {
            let Some(a) = self.asset(name) else { continue };
            if let (Some(t), Some((h, w))) = (transform(&a.extra), shape(&a.extra)) {
                let crs = crs_string(&a.extra).or_else(|| item_crs.clone());
                per_asset.push((t, t.bounds(w, h), crs));
            }
        }
        if !per_asset.is_empty() {
            let mut crss: Vec<Option<String>> = per_asset.iter().map(|p| p.2.clone()).collect();
            if item_crs.is_some() {
                crss.push(item_crs.clone());
            }
            crss.dedup();
            if crss.len() == 1 {
                let crs = Crs::parse(crss[0].as_deref()?).ok()?;
                let b = per_asset.iter().fold(
                    [
                        f64::INFINITY,
                        f64::INFINITY,
                        f64::NEG_INFINITY,
                        f64::NEG_INFINITY,
                    ],
                    |a, p| {
                        [
                            a[0].min(p.1[0]),
                            a[1].min(p.1[1]),
                            a[2].max(p.1[2]),
                            a[3].max(p.1[3]),
                        ]
                    },
                );
                let finest = per_asset.iter().map(|p| p.0).min_by(|x, y| {
                    (x.0[1].abs(), x.0[5].abs())
                        .partial_cmp(&(y.0[1].abs(), y.0[5].abs()))
                        .unwrap_or(std::cmp::Ordering::Equal)
                })?;
                let height = ((b[3] - b[1]) / finest.0[5]).floor().abs() as usize;
                let width = ((b[2] - b[0]) / finest.0[1]).floor().abs() as usize;
                return Some(Projection {
                    width,
                    height,
                    bounds: b,
                    geotransform: GeoTransform::from_bounds(b, width, height),
                    crs,
                });
            }
        }
        let (t, (h, w)) = (transform(&self.properties)?, shape(&self.properties)?);
        let crs = Crs::parse(item_crs.as_deref()?).ok()?;
        Some(Projection {
            width: w,
            height: h,
            bounds: t.bounds(w, h),
            geotransform: t,
            crs,
        })
    }
}

const COG_TYPE: &str = "image/tiff; application=geotiff; profile=cloud-optimized";

/// `[w, s, e, n]` of a 2D or 3D bbox.
fn bbox2d(b: &[f64]) -> [f64; 4] {
    if b.len() >= 6 {
        [b[0], b[1], b[3], b[4]]
    } else {
        [b[0], b[1], b[2], b[3]]
    }
}

/// The CRS the projection fields name: `proj:code` (v2), `proj:epsg` (v1), WKT2 or PROJJSON.
fn crs_string(m: &Map<String, Value>) -> Option<String> {
    if let Some(Value::String(c)) = m.get("proj:code") {
        return Some(c.clone());
    }
    if let Some(e) = m.get("proj:epsg").and_then(Value::as_u64) {
        return Some(format!("EPSG:{e}"));
    }
    if let Some(Value::String(w)) = m.get("proj:wkt2") {
        return Some(w.clone());
    }
    m.get("proj:projjson").map(Value::to_string)
}

/// `proj:transform` (rasterio's affine order `a, b, c, d, e, f`) as a GDAL geotransform.
fn transform(m: &Map<String, Value>) -> Option<GeoTransform> {
    let t: Vec<f64> = m
        .get("proj:transform")?
        .as_array()?
        .iter()
        .map(Value::as_f64)
        .collect::<Option<_>>()?;
    (t.len() >= 6).then(|| GeoTransform([t[2], t[0], t[1], t[5], t[3], t[4]]))
}

/// `proj:shape` as `(height, width)`.
fn shape(m: &Map<String, Value>) -> Option<(usize, usize)> {
    let s = m.get("proj:shape")?.as_array()?;
    let h = s.first()?.as_u64()? as usize;
    let w = s.get(1)?.as_u64()? as usize;
    (h > 0 && w > 0).then_some((h, w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shared(p: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/../shared/conformance/stac/{p}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    #[test]
    fn assets_keep_document_order_and_media_types_filter() {
        let item = Item::parse(&shared("s2_melbourne.json")).unwrap();
        let names: Vec<&str> = item.assets.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names[..4], ["B04", "B03", "B02", "B08"]);
        assert_eq!(
            item.raster_assets(),
            ["B04", "B03", "B02", "B08", "visual"],
            "png thumbnail and xml metadata are not rasters; an untyped asset is"
        );
        let e = item.check_asset("thumbnail").unwrap_err().to_string();
        assert_eq!(
            e,
            "'thumbnail' is not valid, should be one of ['B04', 'B03', 'B02', 'B08', 'visual']"
        );
        let b04 = item.asset("B04").unwrap();
        assert_eq!(b04.statistics(), Some(vec![(195.0, 5147.0)]));
    }

    #[test]
    fn projection_extension_gives_the_item_grid() {
        let item = Item::parse(&shared("s2_melbourne.json")).unwrap();
        let p = item.projection(&["B04", "B08"]).unwrap();
        assert_eq!((p.width, p.height), (768, 768));
        assert_eq!(p.bounds, [316580.0, 5809470.0, 324260.0, 5817150.0]);
        assert_eq!(p.crs.epsg(), Some(32755));
        // no projection extension: no grid (bbox in WGS84 is used instead)
        let item = Item::parse(&shared("titiler_item.json")).unwrap();
        assert!(item.projection(&["B01"]).is_none());
    }

    #[test]
    fn hrefs_resolve_against_the_item_url() {
        let a = Asset {
            href: "../corpus/x/B04.tif".into(),
            media_type: None,
            extra: Map::new(),
        };
        assert_eq!(
            Item::asset_url(&a, "http://h:1/stac/item.json?case=1").unwrap(),
            "http://h:1/corpus/x/B04.tif"
        );
        assert_eq!(
            Item::asset_url(&a, "/data/stac/item.json").unwrap(),
            "/data/corpus/x/B04.tif"
        );
        assert_eq!(
            Item::asset_url(&a, "stac/item.json").unwrap(),
            "corpus/x/B04.tif"
        );
        let abs = Asset {
            href: "s3://bucket/B04.tif".into(),
            ..a
        };
        assert_eq!(
            Item::asset_url(&abs, "http://h/i.json").unwrap(),
            "s3://bucket/B04.tif"
        );
    }

    #[test]
    fn not_an_item_is_an_error_not_a_panic() {
        for bad in [
            &b"\x00\x01\xc0"[..],
            b"[]",
            b"{}",
            b"{\"type\":\"Feature\"}",
            b"null",
        ] {
            assert!(Item::parse(bad).is_err());
        }
    }
}
