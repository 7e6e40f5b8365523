//! A small GeoTIFF writer for `.tif` tiles.
//!
//! A TIFF is a header, the pixel bytes, and an IFD (a sorted list of tags) that says how to read
//! them. We write a classic little-endian TIFF with one IFD: pixel-interleaved strips of about
//! 64 KiB, each deflate-compressed (zlib stream, compression tag 8); every data band followed by
//! the mask as an extra "unassociated alpha" band in the data type, which is how rio-tiler's
//! GTiff output carries it (valid = dtype max, invalid = dtype min). Georeferencing uses the
//! GeoTIFF tags ModelPixelScale + ModelTiepoint (the upper-left corner) and a GeoKeyDirectory
//! naming the EPSG code, `RasterPixelIsArea`.

use std::io::Write;

use flate2::write::ZlibEncoder;

use crate::raster::{DataType, Raster};
use crate::render::error::{Error, Result};
use crate::render::image::Georef;

use super::{alpha_as_band, refuse, ImageFormat};

/// Target uncompressed strip size.
const STRIP_BYTES: usize = 64 * 1024;

const SHORT: u16 = 3;
const LONG: u16 = 4;
const DOUBLE: u16 = 12;

/// One IFD entry: tag, type, count and the little-endian value bytes.
struct Entry {
    tag: u16,
    typ: u16,
    count: u32,
    bytes: Vec<u8>,
}

fn shorts(tag: u16, v: &[u16]) -> Entry {
    Entry {
        tag,
        typ: SHORT,
        count: v.len() as u32,
        bytes: v.iter().flat_map(|x| x.to_le_bytes()).collect(),
    }
}

fn longs(tag: u16, v: &[u32]) -> Entry {
    Entry {
        tag,
        typ: LONG,
        count: v.len() as u32,
        bytes: v.iter().flat_map(|x| x.to_le_bytes()).collect(),
    }
}

fn doubles(tag: u16, v: &[f64]) -> Entry {
    Entry {
        tag,
        typ: DOUBLE,
        count: v.len() as u32,
        bytes: v.iter().flat_map(|x| x.to_le_bytes()).collect(),
    }
}

fn sample_format(d: DataType) -> u16 {
    match d {
        DataType::U8 | DataType::U16 | DataType::U32 => 1,
        DataType::I8 | DataType::I16 | DataType::I32 => 2,
        DataType::F32 | DataType::F64 => 3,
    }
}

/// Writes `data` (+ `alpha` as an extra alpha band) as a deflate GeoTIFF.
pub fn encode_geotiff(
    data: &Raster,
    alpha: Option<&[u8]>,
    georef: Option<&Georef>,
) -> Result<Vec<u8>> {
    let dtype = data.dtype();
    let (w, h) = (data.width, data.height);
    if w == 0 || h == 0 || w > u32::MAX as usize || h > u32::MAX as usize {
        return Err(refuse(ImageFormat::Tif, data, "size outside 1..2^32"));
    }
    let spp = data.bands + usize::from(alpha.is_some());
    if spp == 0 || spp > u16::MAX as usize {
        return Err(refuse(ImageFormat::Tif, data, format!("{spp} bands")));
    }
    let plane = data.plane_len();
    let size = dtype.size();
    // Band-sequential little-endian bytes of every band (alpha last), then interleave.
    let mut band_bytes: Vec<Vec<u8>> = Vec::with_capacity(spp);
    let all = data.data.to_le_bytes();
    for b in 0..data.bands {
        band_bytes.push(all[b * plane * size..(b + 1) * plane * size].to_vec());
    }
    if let Some(a) = alpha {
        band_bytes.push(alpha_as_band(dtype, a).to_le_bytes());
    }
    let row_bytes = w
        .checked_mul(spp)
        .and_then(|x| x.checked_mul(size))
        .ok_or_else(|| Error::Size(format!("{w} x {spp} bands overflows")))?;
    let rows_per_strip = (STRIP_BYTES / row_bytes).clamp(1, h);
    let strips = h.div_ceil(rows_per_strip);

    let mut out = Vec::with_capacity(8 + plane * spp * size / 2);
    out.extend_from_slice(b"II*\0");
    out.extend_from_slice(&[0u8; 4]); // IFD offset, patched below
    let mut offsets = Vec::with_capacity(strips);
    let mut counts = Vec::with_capacity(strips);
    let mut raw = Vec::with_capacity(rows_per_strip * row_bytes);
    for s in 0..strips {
        raw.clear();
        let y0 = s * rows_per_strip;
        let y1 = (y0 + rows_per_strip).min(h);
        for y in y0..y1 {
            for x in 0..w {
                let i = (y * w + x) * size;
                for band in &band_bytes {
                    raw.extend_from_slice(&band[i..i + size]);
                }
            }
        }
        let mut z = ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        z.write_all(&raw)
            .map_err(|e| refuse(ImageFormat::Tif, data, e.to_string()))?;
        let compressed = z
            .finish()
            .map_err(|e| refuse(ImageFormat::Tif, data, e.to_string()))?;
        offsets.push(
            u32::try_from(out.len())
                .map_err(|_| refuse(ImageFormat::Tif, data, "larger than 4 GiB"))?,
        );
        counts.push(compressed.len() as u32);
        out.extend_from_slice(&compressed);
    }

    let rgb = dtype == DataType::U8 && data.bands == 3;
    let base = if rgb { 3 } else { 1 };
    let mut extra: Vec<u16> = vec![0; spp.saturating_sub(base)];
    if alpha.is_some() {
        if let Some(last) = extra.last_mut() {
            *last = 2; // unassociated alpha
        }
    }
    let mut entries = vec![
        longs(256, &[w as u32]),
        longs(257, &[h as u32]),
        shorts(258, &vec![(size * 8) as u16; spp]),
        shorts(259, &[8]),
        shorts(262, &[if rgb { 2 } else { 1 }]),
        longs(273, &offsets),
        shorts(277, &[spp as u16]),
        longs(278, &[rows_per_strip as u32]),
        longs(279, &counts),
        shorts(284, &[1]),
        shorts(339, &vec![sample_format(dtype); spp]),
    ];
    if !extra.is_empty() {
        entries.push(shorts(338, &extra));
    }
    if let Some(g) = georef {
        let gt = g.geotransform(w, h);
        entries.push(doubles(33550, &[gt[1], -gt[5], 0.0]));
        entries.push(doubles(33922, &[0.0, 0.0, 0.0, gt[0], gt[3], 0.0]));
        let mut keys: Vec<u16> = vec![1, 1, 0, 0];
        keys.extend_from_slice(&[1024, 0, 1, if g.geographic { 2 } else { 1 }]);
        keys.extend_from_slice(&[1025, 0, 1, 1]);
        if let Some(code) = g.epsg.and_then(|c| u16::try_from(c).ok()) {
            keys.extend_from_slice(&[if g.geographic { 2048 } else { 3072 }, 0, 1, code]);
        }
        keys[3] = (keys.len() / 4 - 1) as u16;
        entries.push(shorts(34735, &keys));
    }
    entries.sort_by_key(|e| e.tag);

    if out.len() % 2 == 1 {
        out.push(0);
    }
    let ifd_offset = out.len();
    let ifd_len = 2 + entries.len() * 12 + 4;
    let mut value_pos = ifd_offset + ifd_len;
    let mut values: Vec<u8> = Vec::new();
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    for e in &entries {
        out.extend_from_slice(&e.tag.to_le_bytes());
        out.extend_from_slice(&e.typ.to_le_bytes());
        out.extend_from_slice(&e.count.to_le_bytes());
        if e.bytes.len() <= 4 {
            let mut v = e.bytes.clone();
            v.resize(4, 0);
            out.extend_from_slice(&v);
        } else {
            let off = u32::try_from(value_pos)
                .map_err(|_| refuse(ImageFormat::Tif, data, "larger than 4 GiB"))?;
            out.extend_from_slice(&off.to_le_bytes());
            values.extend_from_slice(&e.bytes);
            if values.len() % 2 == 1 {
                values.push(0);
            }
            value_pos = ifd_offset + ifd_len + values.len();
        }
    }
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&values);
    let off = u32::try_from(ifd_offset)
        .map_err(|_| refuse(ImageFormat::Tif, data, "larger than 4 GiB"))?;
    out[4..8].copy_from_slice(&off.to_le_bytes());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::raster::Samples;
    use std::io::Read;

    fn u16_at(b: &[u8], o: usize) -> u16 {
        u16::from_le_bytes([b[o], b[o + 1]])
    }

    fn u32_at(b: &[u8], o: usize) -> u32 {
        u32::from_le_bytes([b[o], b[o + 1], b[o + 2], b[o + 3]])
    }

    /// Reads back our own TIFF: tag → (type, count, value bytes).
    fn tags(b: &[u8]) -> std::collections::BTreeMap<u16, (u16, u32, Vec<u8>)> {
        let ifd = u32_at(b, 4) as usize;
        let n = u16_at(b, ifd) as usize;
        let mut out = std::collections::BTreeMap::new();
        for k in 0..n {
            let e = ifd + 2 + 12 * k;
            let (tag, typ, count) = (u16_at(b, e), u16_at(b, e + 2), u32_at(b, e + 4));
            let size = count as usize
                * match typ {
                    3 => 2,
                    4 => 4,
                    _ => 8,
                };
            let bytes = if size <= 4 {
                b[e + 8..e + 8 + size].to_vec()
            } else {
                let o = u32_at(b, e + 8) as usize;
                b[o..o + size].to_vec()
            };
            out.insert(tag, (typ, count, bytes));
        }
        out
    }

    #[test]
    fn writes_readable_deflate_strips_with_alpha_and_geokeys() {
        let (w, h) = (300, 700); // several strips
        let data: Vec<i16> = (0..w * h).map(|i| (i as i16).wrapping_mul(7)).collect();
        let mask: Vec<u8> = (0..w * h)
            .map(|i| if i % 3 == 0 { 0 } else { 255 })
            .collect();
        let r = Raster {
            width: w,
            height: h,
            bands: 1,
            data: Samples::I16(data.clone()),
            mask: mask.clone(),
        };
        let g = Georef {
            bounds: [0.0, 0.0, 300.0, 1400.0],
            epsg: Some(4326),
            geographic: true,
        };
        let b = encode_geotiff(&r, Some(&mask), Some(&g)).unwrap();
        assert_eq!(&b[..4], b"II*\0");
        let t = tags(&b);
        assert_eq!(u32_at(&t[&256].2, 0), w as u32);
        assert_eq!(u32_at(&t[&257].2, 0), h as u32);
        assert_eq!(u16_at(&t[&277].2, 0), 2);
        assert_eq!(u16_at(&t[&338].2, 0), 2, "unassociated alpha");
        assert_eq!(t[&339].2, vec![2, 0, 2, 0], "signed samples");
        let keys: Vec<u16> = t[&34735]
            .2
            .chunks(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        assert_eq!(
            keys,
            vec![1, 1, 0, 3, 1024, 0, 1, 2, 1025, 0, 1, 1, 2048, 0, 1, 4326]
        );
        let scale: Vec<f64> = t[&33550]
            .2
            .chunks(8)
            .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
            .collect();
        assert_eq!(scale, vec![1.0, 2.0, 0.0]);
        // inflate every strip and check samples + alpha
        let rows = u32_at(&t[&278].2, 0) as usize;
        let offs: Vec<usize> = t[&273].2.chunks(4).map(|c| u32_at(c, 0) as usize).collect();
        let cnts: Vec<usize> = t[&279].2.chunks(4).map(|c| u32_at(c, 0) as usize).collect();
        let mut pixels = Vec::new();
        for (o, c) in offs.iter().zip(&cnts) {
            let mut z = flate2::read::ZlibDecoder::new(&b[*o..o + c]);
            z.read_to_end(&mut pixels).unwrap();
        }
        assert!(offs.len() > 1 && rows * offs.len() >= h);
        assert_eq!(pixels.len(), w * h * 4);
        for i in (0..w * h).step_by(997) {
            let v = i16::from_le_bytes([pixels[4 * i], pixels[4 * i + 1]]);
            let a = i16::from_le_bytes([pixels[4 * i + 2], pixels[4 * i + 3]]);
            assert_eq!(v, data[i]);
            assert_eq!(a, if mask[i] == 0 { i16::MIN } else { i16::MAX });
        }
    }
}
