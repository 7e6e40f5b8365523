//! One entry of TiTiler's `assets=` parameter: `name`, or `name|bidx=1,2|expression=b1*2|bands=red`.

use super::{Asset, Error};

/// How an asset's bands are chosen.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum BandSelection {
    /// Every non-alpha band.
    #[default]
    All,
    /// 1-based band indexes (`bidx=`, or `bands=` resolved by name).
    Indexes(Vec<usize>),
    /// Band math over the asset's own bands (`expression=`).
    Expression(String),
}

/// A parsed `assets=` entry.
#[derive(Clone, Debug, PartialEq)]
pub struct AssetRequest {
    pub name: String,
    /// The entry as the client wrote it (TiTiler keys `/info` by it).
    pub raw: String,
    pub bidx: Option<Vec<usize>>,
    pub expression: Option<String>,
    /// Band names (`bands=red,nir`): resolved against the asset's band metadata.
    pub bands: Option<Vec<String>>,
}

impl AssetRequest {
    /// Parses `name|key=value|...` (keys other than `bidx`, `expression`, `bands` are
    /// ignored, as TiTiler does).
    pub fn parse(s: &str) -> Result<AssetRequest, Error> {
        let mut parts = s.split('|');
        let name = parts.next().unwrap_or_default().to_string();
        let mut req = AssetRequest {
            name,
            raw: s.to_string(),
            bidx: None,
            expression: None,
            bands: None,
        };
        for opt in parts {
            let (k, v) = opt
                .split_once('=')
                .ok_or_else(|| Error::BadOption(opt.to_string()))?;
            match k {
                "bidx" => {
                    let idx = v
                        .split(',')
                        .map(|b| b.trim().parse::<usize>().ok().filter(|b| *b >= 1))
                        .collect::<Option<Vec<_>>>()
                        .ok_or_else(|| Error::BadOption(opt.to_string()))?;
                    req.bidx = Some(idx);
                }
                "expression" => req.expression = Some(v.to_string()),
                "bands" => req.bands = Some(v.split(',').map(str::to_string).collect()),
                _ => {}
            }
        }
        Ok(req)
    }

    /// Whether the entry carries options (TiTiler names such results by the whole entry).
    pub fn has_options(&self) -> bool {
        self.raw.contains('|')
    }

    /// The bands to read from `asset`, as rio-tiler resolves `bidx`, `expression` and `bands`
    /// (`bands` last: it overrides `bidx`; its names match `eo:common_name`, then `name`).
    pub fn selection(&self, asset: &Asset) -> Result<BandSelection, Error> {
        let mut sel = match (&self.expression, &self.bidx) {
            (Some(e), _) => BandSelection::Expression(e.clone()),
            (None, Some(b)) => BandSelection::Indexes(b.clone()),
            (None, None) => BandSelection::All,
        };
        if let Some(bands) = &self.bands {
            let meta = asset.eo_bands().ok_or_else(|| {
                Error::Bands(
                    "Asset does not have 'bands' metadata, unable to use 'bands' option".into(),
                )
            })?;
            let key = |b: &serde_json::Value| {
                ["eo:common_name", "common_name", "name"]
                    .iter()
                    .find_map(|k| b.get(*k).and_then(|v| v.as_str()).map(str::to_string))
            };
            let idx = bands
                .iter()
                .map(|want| {
                    meta.iter()
                        .position(|b| key(b).as_deref() == Some(want.as_str()))
                        .map(|i| i + 1)
                        .ok_or_else(|| {
                            Error::Bands(format!(
                                "Band '{want}' not found in asset metadata, unable to use 'bands' option"
                            ))
                        })
                })
                .collect::<Result<Vec<_>, _>>()?;
            if self.expression.is_none() {
                sel = BandSelection::Indexes(idx);
            }
        }
        Ok(sel)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_titiler_asset_syntax() {
        let r = AssetRequest::parse("B08|bidx=1,2").unwrap();
        assert_eq!((r.name.as_str(), r.bidx.clone()), ("B08", Some(vec![1, 2])));
        assert!(r.has_options());
        let r = AssetRequest::parse("B08|expression=b1*2").unwrap();
        assert_eq!(r.expression.as_deref(), Some("b1*2"));
        assert!(!AssetRequest::parse("B08").unwrap().has_options());
        assert!(AssetRequest::parse("B08|bidx=x").is_err());
        assert!(AssetRequest::parse("B08|bidx=0").is_err());
        assert!(AssetRequest::parse("B08|nokey").is_err());
    }

    #[test]
    fn bands_resolve_by_common_name_then_name() {
        let mut extra = serde_json::Map::new();
        extra.insert(
            "bands".into(),
            json!([
                {"name": "band1", "eo:common_name": "red"},
                {"name": "band2", "eo:common_name": "green"},
                {"name": "band3"}
            ]),
        );
        let asset = Asset {
            href: "x.tif".into(),
            media_type: None,
            extra,
        };
        let r = AssetRequest::parse("rgb|bands=band3,red").unwrap();
        assert_eq!(
            r.selection(&asset).unwrap(),
            BandSelection::Indexes(vec![3, 1])
        );
        let r = AssetRequest::parse("rgb|bands=band1").unwrap();
        assert!(r.selection(&asset).is_err(), "band1 is called red");
    }
}
