//! A tiny TIFF writer for tests: hand-built files, good and bad.

/// One entry: tag, field type, count, value bytes (already in the file's byte order).
pub(crate) struct Entry {
    pub tag: u16,
    pub typ: u16,
    pub count: u64,
    pub data: Vec<u8>,
}

fn put16(v: u16, big: bool) -> [u8; 2] {
    if big {
        v.to_be_bytes()
    } else {
        v.to_le_bytes()
    }
}
fn put32(v: u32, big: bool) -> [u8; 4] {
    if big {
        v.to_be_bytes()
    } else {
        v.to_le_bytes()
    }
}
fn put64(v: u64, big: bool) -> [u8; 8] {
    if big {
        v.to_be_bytes()
    } else {
        v.to_le_bytes()
    }
}

pub(crate) fn short(tag: u16, vals: &[u16], big: bool) -> Entry {
    Entry {
        tag,
        typ: 3,
        count: vals.len() as u64,
        data: vals.iter().flat_map(|v| put16(*v, big)).collect(),
    }
}

pub(crate) fn long(tag: u16, vals: &[u32], big: bool) -> Entry {
    Entry {
        tag,
        typ: 4,
        count: vals.len() as u64,
        data: vals.iter().flat_map(|v| put32(*v, big)).collect(),
    }
}

/// Writes a TIFF with one IFD per entry list (chained), values placed after each IFD, and
/// `extra` bytes appended at the end (e.g. tile data). Returns the bytes.
pub(crate) fn build(ifds: &[Vec<Entry>], big: bool, bigtiff: bool, extra: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(if big { b"MM" } else { b"II" });
    if bigtiff {
        out.extend_from_slice(&put16(43, big));
        out.extend_from_slice(&put16(8, big));
        out.extend_from_slice(&put16(0, big));
        out.extend_from_slice(&put64(16, big));
    } else {
        out.extend_from_slice(&put16(42, big));
        out.extend_from_slice(&put32(8, big));
    }
    let (cs, es, os) = if bigtiff { (8, 20, 8) } else { (2, 12, 4) };
    for (k, entries) in ifds.iter().enumerate() {
        let start = out.len();
        let mut values_at = start + cs + entries.len() * es + os;
        let mut values = Vec::new();
        if bigtiff {
            out.extend_from_slice(&put64(entries.len() as u64, big));
        } else {
            out.extend_from_slice(&put16(entries.len() as u16, big));
        }
        for e in entries {
            out.extend_from_slice(&put16(e.tag, big));
            out.extend_from_slice(&put16(e.typ, big));
            if bigtiff {
                out.extend_from_slice(&put64(e.count, big));
            } else {
                out.extend_from_slice(&put32(e.count as u32, big));
            }
            if e.data.len() <= os {
                let mut f = e.data.clone();
                f.resize(os, 0);
                out.extend_from_slice(&f);
            } else {
                if bigtiff {
                    out.extend_from_slice(&put64(values_at as u64, big));
                } else {
                    out.extend_from_slice(&put32(values_at as u32, big));
                }
                values.extend_from_slice(&e.data);
                values_at += e.data.len();
            }
        }
        let next = if k + 1 < ifds.len() { values_at } else { 0 };
        if bigtiff {
            out.extend_from_slice(&put64(next as u64, big));
        } else {
            out.extend_from_slice(&put32(next as u32, big));
        }
        out.extend_from_slice(&values);
    }
    out.extend_from_slice(extra);
    out
}

/// Georeferencing entries (to append after [`image`]'s, tags ascending): EPSG:4326 pixels of
/// `pixel_deg` degrees, the top-left corner at `(lon, lat)`.
pub(crate) fn geo_4326(lon: f64, lat: f64, pixel_deg: f64, big: bool) -> Vec<Entry> {
    use super::tag;
    let doubles = |tag: u16, vals: &[f64]| Entry {
        tag,
        typ: 12,
        count: vals.len() as u64,
        data: vals.iter().flat_map(|v| put64(v.to_bits(), big)).collect(),
    };
    vec![
        doubles(tag::MODEL_PIXEL_SCALE, &[pixel_deg, pixel_deg, 0.0]),
        doubles(tag::MODEL_TIEPOINT, &[0.0, 0.0, 0.0, lon, lat, 0.0]),
        // version 1.1.0, 2 keys: GTModelType = geographic, GeographicType = 4326
        short(
            tag::GEO_KEY_DIRECTORY,
            &[1, 1, 0, 2, 1024, 0, 1, 2, 2048, 0, 1, 4326],
            big,
        ),
    ]
}

/// The entries of a `w × h` single-band u8 image in one `tile × tile` tile whose data is at
/// `data_at` with `data_len` bytes, compressed with `compression`.
pub(crate) fn image(
    w: u32,
    h: u32,
    tile: u32,
    compression: u16,
    data_at: u32,
    data_len: u32,
    big: bool,
) -> Vec<Entry> {
    use super::tag;
    vec![
        long(tag::IMAGE_WIDTH, &[w], big),
        long(tag::IMAGE_LENGTH, &[h], big),
        short(tag::BITS_PER_SAMPLE, &[8], big),
        short(tag::COMPRESSION, &[compression], big),
        short(tag::PHOTOMETRIC, &[1], big),
        short(tag::SAMPLES_PER_PIXEL, &[1], big),
        long(tag::TILE_WIDTH, &[tile], big),
        long(tag::TILE_LENGTH, &[tile], big),
        long(tag::TILE_OFFSETS, &[data_at], big),
        long(tag::TILE_BYTE_COUNTS, &[data_len], big),
    ]
}
