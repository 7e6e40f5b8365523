//! The TileMatrixSets a server knows: morecantile's 13 defaults, plus user JSON files.
//!
//! Like morecantile, a TMS is registered under its file stem, user files may replace a
//! default of the same name, and the environment variable `TILEMATRIXSET_DIRECTORY` names a
//! directory whose `*.json` files are added.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, OnceLock};

use super::{Error, TileMatrixSet};

/// The embedded morecantile 7 documents, `(id, json)`.
const DEFAULTS: [(&str, &str); 13] = [
    ("CDB1GlobalGrid", include_str!("data/CDB1GlobalGrid.json")),
    (
        "CanadianNAD83_LCC",
        include_str!("data/CanadianNAD83_LCC.json"),
    ),
    (
        "EuropeanETRS89_LAEAQuad",
        include_str!("data/EuropeanETRS89_LAEAQuad.json"),
    ),
    (
        "GNOSISGlobalGrid",
        include_str!("data/GNOSISGlobalGrid.json"),
    ),
    (
        "LINZAntarticaMapTilegrid",
        include_str!("data/LINZAntarticaMapTilegrid.json"),
    ),
    ("NZTM2000Quad", include_str!("data/NZTM2000Quad.json")),
    (
        "UPSAntarcticWGS84Quad",
        include_str!("data/UPSAntarcticWGS84Quad.json"),
    ),
    (
        "UPSArcticWGS84Quad",
        include_str!("data/UPSArcticWGS84Quad.json"),
    ),
    ("UTM31WGS84Quad", include_str!("data/UTM31WGS84Quad.json")),
    ("WGS1984Quad", include_str!("data/WGS1984Quad.json")),
    ("WebMercatorQuad", include_str!("data/WebMercatorQuad.json")),
    ("WorldCRS84Quad", include_str!("data/WorldCRS84Quad.json")),
    (
        "WorldMercatorWGS84Quad",
        include_str!("data/WorldMercatorWGS84Quad.json"),
    ),
];

/// Environment variable naming a directory of extra TMS JSON files (morecantile's name).
pub const DIRECTORY_ENV: &str = "TILEMATRIXSET_DIRECTORY";

/// A set of TileMatrixSets by identifier, iterated in sorted order (as TiTiler lists them).
#[derive(Clone, Debug, Default)]
pub struct TmsRegistry {
    sets: BTreeMap<String, Arc<TileMatrixSet>>,
}

impl TmsRegistry {
    /// The 13 morecantile defaults.
    pub fn defaults() -> TmsRegistry {
        let mut sets = BTreeMap::new();
        for (id, json) in DEFAULTS {
            // Embedded documents are tested; a failure here is a build defect, not input.
            let tms = TileMatrixSet::from_json(json, Some(id))
                .unwrap_or_else(|e| panic!("embedded tilematrixset {id}: {e}"));
            sets.insert(id.to_string(), Arc::new(tms));
        }
        TmsRegistry { sets }
    }

    /// The defaults plus the `*.json` files of `TILEMATRIXSET_DIRECTORY` when it is set.
    pub fn from_env() -> Result<TmsRegistry, Error> {
        let mut r = TmsRegistry::defaults();
        if let Some(dir) = std::env::var_os(DIRECTORY_ENV) {
            r.load_directory(Path::new(&dir))?;
        }
        Ok(r)
    }

    /// Adds every `*.json` file of `dir`, named by file stem.
    pub fn load_directory(&mut self, dir: &Path) -> Result<(), Error> {
        let io = |e: std::io::Error| Error::Io {
            path: dir.display().to_string(),
            reason: e.to_string(),
        };
        let mut paths: Vec<_> = std::fs::read_dir(dir)
            .map_err(io)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        paths.sort();
        for p in paths {
            self.load_file(&p)?;
        }
        Ok(())
    }

    /// Adds one TMS JSON file, named by its file stem. Returns the identifier.
    pub fn load_file(&mut self, path: &Path) -> Result<String, Error> {
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .ok_or_else(|| Error::Io {
                path: path.display().to_string(),
                reason: "file name is not utf-8".into(),
            })?
            .to_string();
        let json = std::fs::read_to_string(path).map_err(|e| Error::Io {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        let tms = TileMatrixSet::from_json(&json, Some(&stem))?;
        self.sets.insert(stem.clone(), Arc::new(tms));
        Ok(stem)
    }

    /// Registers a TMS under its `id`.
    pub fn insert(&mut self, tms: TileMatrixSet) {
        self.sets.insert(tms.id.clone(), Arc::new(tms));
    }

    pub fn get(&self, id: &str) -> Result<Arc<TileMatrixSet>, Error> {
        self.sets
            .get(id)
            .cloned()
            .ok_or_else(|| Error::Unknown(id.to_string()))
    }

    /// Identifiers in sorted (byte) order.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.sets.keys().map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.sets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sets.is_empty()
    }
}

/// The process-wide default registry (morecantile's `tms`), built once.
pub fn default_registry() -> &'static TmsRegistry {
    static REGISTRY: OnceLock<TmsRegistry> = OnceLock::new();
    REGISTRY.get_or_init(TmsRegistry::defaults)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// TileMatrixSets and the registry are shared across threads (rayon jobs, the server).
    #[test]
    fn tms_types_are_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<crate::tms::TileMatrixSet>();
        check::<TmsRegistry>();
    }

    #[test]
    fn thirteen_defaults_in_titiler_order() {
        let r = default_registry();
        let ids: Vec<&str> = r.ids().collect();
        assert_eq!(ids.len(), 13);
        let mut sorted = ids.clone();
        sorted.sort();
        assert_eq!(ids, sorted);
        assert_eq!(ids[0], "CDB1GlobalGrid");
        assert_eq!(ids[1], "CanadianNAD83_LCC", "byte order, as Python sorts");
        assert!(matches!(r.get("NotATms"), Err(Error::Unknown(_))));
    }

    #[test]
    fn documents_are_served_verbatim() {
        for (id, json) in DEFAULTS {
            let tms = default_registry().get(id).unwrap();
            assert_eq!(tms.json(), json);
            assert_eq!(tms.id, id);
            let v: serde_json::Value = serde_json::from_str(tms.json()).unwrap();
            assert_eq!(
                v["tileMatrices"].as_array().unwrap().len(),
                tms.tile_matrices.len()
            );
        }
    }

    #[test]
    fn user_directory_adds_and_overrides() {
        let dir = tempfile::tempdir().unwrap();
        let mut doc: serde_json::Value =
            serde_json::from_str(include_str!("data/WebMercatorQuad.json")).unwrap();
        doc["id"] = "MyQuad".into();
        doc["tileMatrices"] =
            serde_json::Value::Array(doc["tileMatrices"].as_array().unwrap()[..5].to_vec());
        std::fs::write(dir.path().join("MyQuad.json"), doc.to_string()).unwrap();
        doc["id"] = "WebMercatorQuad".into();
        std::fs::write(dir.path().join("WebMercatorQuad.json"), doc.to_string()).unwrap();
        std::fs::write(dir.path().join("notes.txt"), "ignored").unwrap();
        let mut r = TmsRegistry::defaults();
        r.load_directory(dir.path()).unwrap();
        assert_eq!(r.len(), 14);
        let t = r.get("MyQuad").unwrap();
        assert_eq!((t.minzoom(), t.maxzoom()), (0, 4));
        assert_eq!(
            r.get("WebMercatorQuad").unwrap().maxzoom(),
            4,
            "user file replaces default"
        );

        std::fs::write(dir.path().join("Broken.json"), "{\"id\": \"Broken\"}").unwrap();
        let err = TmsRegistry::defaults()
            .load_directory(dir.path())
            .unwrap_err();
        assert!(matches!(err, Error::Invalid { .. }), "{err}");
        assert!(TmsRegistry::defaults()
            .load_directory(&dir.path().join("missing"))
            .is_err());
    }

    #[test]
    fn invalid_documents_are_rejected() {
        let v1 = r#"{"type":"TileMatrixSetType","identifier":"x","supportedCRS":"http://www.opengis.net/def/crs/EPSG/0/3857","crs":"EPSG:3857","tileMatrices":[]}"#;
        assert!(matches!(
            TileMatrixSet::from_json(v1, None),
            Err(Error::Invalid { .. })
        ));
        let base = include_str!("data/WebMercatorQuad.json");
        let mut doc: serde_json::Value = serde_json::from_str(base).unwrap();
        doc["crs"] = "http://www.opengis.net/def/crs/EPSG/0/1".into();
        assert!(matches!(
            TileMatrixSet::from_json(&doc.to_string(), None),
            Err(Error::Crs { .. })
        ));
        let mut doc: serde_json::Value = serde_json::from_str(base).unwrap();
        doc["tileMatrices"][3]["id"] = "three".into();
        assert!(matches!(
            TileMatrixSet::from_json(&doc.to_string(), None),
            Err(Error::Invalid { .. })
        ));
        let mut doc: serde_json::Value = serde_json::from_str(base).unwrap();
        doc["tileMatrices"][3]["cellSize"] = (-1.0).into();
        assert!(matches!(
            TileMatrixSet::from_json(&doc.to_string(), None),
            Err(Error::Invalid { .. })
        ));
        let mut doc: serde_json::Value = serde_json::from_str(base).unwrap();
        doc["tileMatrices"] = serde_json::Value::Array(vec![]);
        assert!(matches!(
            TileMatrixSet::from_json(&doc.to_string(), None),
            Err(Error::Invalid { .. })
        ));
        assert!(TileMatrixSet::from_json("not json", None).is_err());
    }
}
