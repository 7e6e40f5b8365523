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
