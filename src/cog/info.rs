//! The `/cog/info` model: what TiTiler (rio-tiler's `Reader.info()`) reports about a dataset.

use std::collections::BTreeMap;

use serde::Serialize;

use super::header::ColorInterp;
use super::CogHeader;
use crate::warp::GcpVrt;

/// rio-tiler's `Info`, serialised exactly like TiTiler's `/cog/info` (None fields omitted).
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Info {
    pub bounds: [f64; 4],
    pub crs: String,
    pub band_metadata: Vec<(String, BTreeMap<String, String>)>,
    pub band_descriptions: Vec<(String, String)>,
    pub dtype: String,
    /// `Alpha`, `Mask`, `Internal`, `Nodata` or `None`.
    pub nodata_type: String,
    pub colorinterp: Vec<String>,
    pub scales: Vec<f64>,
    pub offsets: Vec<f64>,
    /// Palette index → RGBA (only for paletted datasets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub colormap: Option<BTreeMap<String, [u8; 4]>>,
    pub driver: String,
    pub count: usize,
    pub width: u32,
    pub height: u32,
    pub overviews: Vec<u32>,
    /// Only when `nodata_type` is `Nodata`; a NaN nodata serialises as `null`, like TiTiler.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nodata_value: Option<f64>,
    /// Per band `[min, max]` from `STATISTICS_MINIMUM/MAXIMUM` when every band has them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minmax: Option<Vec<[f64; 2]>>,
}

impl Info {
    pub fn from_header(h: &CogHeader) -> Info {
        let info = Info::from_tiff_header(h);
        match &h.gcp_vrt {
            Some(Ok(vrt)) => info.into_gcp_vrt(h, vrt),
            _ => info,
        }
    }

    /// What rio-tiler reports for a GCP raster: the warped VRT it reads through (driver `VRT`,
    /// the VRT's size, bounds and implicit overviews) with the alpha band rasterio's
    /// `WarpedVRT(add_alpha=True)` appends when the raster has neither nodata nor alpha.
    fn into_gcp_vrt(mut self, h: &CogHeader, vrt: &GcpVrt) -> Info {
        let base = vrt.base();
        self.driver = "VRT".to_string();
        self.width = base.width as u32;
        self.height = base.height as u32;
        self.overviews = vrt.overview_factors();
        if h.nodata.is_none() && h.alpha_band.is_none() {
            let name = format!("b{}", h.bands + 1);
            self.count = h.bands + 1;
            self.band_metadata.push((name.clone(), BTreeMap::new()));
            self.band_descriptions.push((name.clone(), name));
            self.colorinterp.push(ColorInterp::Alpha.name().to_string());
            self.scales.push(1.0);
            self.offsets.push(0.0);
            self.nodata_type = "Alpha".to_string();
            // the added alpha band has no statistics, so not every band does
            self.minmax = None;
        }
        self
    }

    fn from_tiff_header(h: &CogHeader) -> Info {
        let names: Vec<String> = (1..=h.bands).map(|b| format!("b{b}")).collect();
        let nodata_type = if h.nodata.is_some() {
            "Nodata"
        } else if h.colorinterp.contains(&ColorInterp::Alpha) {
            "Alpha"
        } else if h.has_mask {
            "Mask"
        } else {
            "None"
        };
        let band_items = |b: usize| {
            h.metadata
                .bands
                .get(&b)
                .map(|m| m.items.clone())
                .unwrap_or_default()
        };
        let minmax: Option<Vec<[f64; 2]>> = (0..h.bands)
            .map(|b| {
                let it = band_items(b);
                let min = it.get("STATISTICS_MINIMUM")?.trim().parse().ok()?;
                let max = it.get("STATISTICS_MAXIMUM")?.trim().parse().ok()?;
                Some([min, max])
            })
            .collect();
        Info {
            bounds: h.bounds(),
            crs: match &h.crs {
                Ok(c) => c.to_titiler_string(),
                Err(_) => String::new(),
            },
            band_metadata: names
                .iter()
                .enumerate()
                .map(|(i, n)| (n.clone(), band_items(i)))
                .collect(),
            band_descriptions: names
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    let d = h
                        .band_descriptions
                        .get(i)
                        .cloned()
                        .flatten()
                        .filter(|d| !d.is_empty())
                        .unwrap_or_else(|| n.clone());
                    (n.clone(), d)
                })
                .collect(),
            dtype: h.dtype.name().to_string(),
            nodata_type: nodata_type.to_string(),
            colorinterp: h.colorinterp.iter().map(|c| c.name().to_string()).collect(),
            scales: h.scales.clone(),
            offsets: h.offsets.clone(),
            colormap: h.colormap.as_ref().map(|c| {
                c.iter()
                    .enumerate()
                    .map(|(i, rgba)| (i.to_string(), *rgba))
                    .collect()
            }),
            driver: "GTiff".to_string(),
            count: h.bands,
            width: h.width,
            height: h.height,
            overviews: h.overview_factors(),
            nodata_value: h.nodata,
            minmax: minmax.filter(|m| !m.is_empty()),
        }
    }
}
