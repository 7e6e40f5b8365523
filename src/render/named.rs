//! The 211 named colormaps TiTiler serves as `colormap_name` / `/colorMaps/{id}`.
//!
//! The tables are rio-tiler's own `.npy` files (256 RGBA entries each), packed by
//! `tools/gen_colormaps.py` into `colormaps.bin` and embedded in the binary, so colours are
//! byte-identical to TiTiler's without any interpolation. Licence: `COLORMAPS_LICENSE.md`.
//! Entries are stored in the order TiTiler lists them on `/colorMaps`.

use std::sync::OnceLock;

use super::colormap::{ColorMap, Rgba};

static PACKED: &[u8] = include_bytes!("colormaps.bin");

/// One named 256-entry colour table.
pub struct NamedColormap {
    pub name: String,
    pub table: [Rgba; 256],
}

fn registry() -> &'static [NamedColormap] {
    static REG: OnceLock<Vec<NamedColormap>> = OnceLock::new();
    REG.get_or_init(|| unpack(PACKED).unwrap_or_default())
}

/// Decodes the packed file; `None` if it is malformed (caught by the tests, never at runtime).
fn unpack(bytes: &[u8]) -> Option<Vec<NamedColormap>> {
    let rest = bytes.strip_prefix(b"CMAPS\x01")?;
    let count = u16::from_le_bytes([*rest.first()?, *rest.get(1)?]) as usize;
    let mut pos = 2;
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        let len = *rest.get(pos)? as usize;
        let name = std::str::from_utf8(rest.get(pos + 1..pos + 1 + len)?).ok()?;
        pos += 1 + len;
        let raw = rest.get(pos..pos + 1024)?;
        pos += 1024;
        let table: [Rgba; 256] =
            std::array::from_fn(|i| [raw[4 * i], raw[4 * i + 1], raw[4 * i + 2], raw[4 * i + 3]]);
        out.push(NamedColormap {
            name: name.to_string(),
            table,
        });
    }
    Some(out)
}

/// Every colormap name, in TiTiler's `/colorMaps` listing order.
pub fn names() -> impl Iterator<Item = &'static str> {
    registry().iter().map(|c| c.name.as_str())
}

/// The colour table of a named colormap (exact, case-sensitive name as TiTiler's `Literal`).
pub fn table(name: &str) -> Option<&'static [Rgba; 256]> {
    registry().iter().find(|c| c.name == name).map(|c| &c.table)
}

/// A named colormap as a [`ColorMap`] (a 256-entry lookup table).
pub fn colormap(name: &str) -> Option<ColorMap> {
    table(name).map(ColorMap::from_table)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::test_support::shared;

    #[test]
    fn embeds_all_211_colormaps_with_reversed_variants() {
        let all: Vec<&str> = names().collect();
        assert_eq!(all.len(), 211);
        assert!(all.contains(&"viridis") && all.contains(&"viridis_r"));
        assert!(all.contains(&"schwarzwald") && !all.contains(&"schwarzwald_r"));
        let v = table("viridis").unwrap();
        let r = table("viridis_r").unwrap();
        assert_eq!(v[0], [68, 1, 84, 255]);
        assert_eq!(v[0], r[255]);
    }

    #[test]
    fn tables_equal_the_shared_npy_files() {
        let Some(dir) = shared("colormaps") else {
            return;
        };
        for name in names() {
            let bytes = std::fs::read(dir.join(format!("{name}.npy"))).unwrap();
            let body = &bytes[bytes.len() - 1024..];
            let t = table(name).unwrap();
            let flat: Vec<u8> = t.iter().flatten().copied().collect();
            assert_eq!(flat, body, "{name}");
        }
    }

    #[test]
    fn listing_and_json_match_recorded_titiler_answers() {
        let Some(cases) = shared("conformance/cases") else {
            return;
        };
        let listing: serde_json::Value =
            serde_json::from_slice(&std::fs::read(cases.join("colormaps.json")).unwrap()).unwrap();
        let ids: Vec<&str> = listing["expect"]["json"]["colormaps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_str().unwrap())
            .collect();
        assert_eq!(ids, names().collect::<Vec<_>>());
        for (case, name) in [
            ("colormap_viridis", "viridis"),
            ("colormap_cfastie", "cfastie"),
            ("colormap_rdylgn", "rdylgn"),
            ("colormap_schwarzwald", "schwarzwald"),
            ("colormap_terrain", "terrain"),
        ] {
            let c: serde_json::Value =
                serde_json::from_slice(&std::fs::read(cases.join(format!("{case}.json"))).unwrap())
                    .unwrap();
            assert_eq!(
                colormap(name).unwrap().to_json(),
                c["expect"]["json"],
                "{case}"
            );
        }
    }
}
