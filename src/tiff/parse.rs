//! Walking the IFD chain with as few reads as possible.

use std::collections::{BTreeMap, HashSet};
use std::ops::Range;

use bytes::Bytes;

use super::tags::{tag, type_size};
use super::{Error, Ifd, Limits, Value};
use crate::io::{self, ByteSource};

/// How to read a header.
#[derive(Clone, Debug)]
pub struct ParseOptions {
    /// Size of the first read (GDAL's ingested bytes at open). Default 32 KiB.
    pub header_bytes: u64,
    /// Coalescing gap for the follow-up read of tag values. Default 32 KiB.
    pub coalesce_gap: u64,
    /// Bytes read speculatively for an IFD found beyond the loaded data. Default 16 KiB.
    pub ifd_readahead: u64,
    pub limits: Limits,
}

impl Default for ParseOptions {
    fn default() -> Self {
        ParseOptions {
            header_bytes: 32 * 1024,
            coalesce_gap: 32 * 1024,
            ifd_readahead: 16 * 1024,
            limits: Limits::default(),
        }
    }
}

/// A parsed TIFF header: every IFD in file order, with its tags decoded.
#[derive(Clone, Debug)]
pub struct Tiff {
    pub big_endian: bool,
    pub bigtiff: bool,
    /// IFDs in chain order (index = position in the chain).
    pub ifds: Vec<Ifd>,
    /// GDAL's COG "ghost" structural metadata block right after the header, if present
    /// (`LAYOUT=IFDS_BEFORE_DATA`, `BLOCK_ORDER=ROW_MAJOR`, ...).
    pub ghost: Option<String>,
    /// Object size when the source knows it.
    pub file_size: Option<u64>,
    /// Number of reads the parse needed (1 for a well-formed COG).
    pub reads: u32,
}

/// Loaded byte segments of the file, by start offset.
struct Segments {
    segs: Vec<(u64, Bytes)>,
}

impl Segments {
    fn get(&self, offset: u64, len: u64) -> Option<&[u8]> {
        let end = offset.checked_add(len)?;
        for (start, b) in &self.segs {
            let seg_end = start + b.len() as u64;
            if *start <= offset && end <= seg_end {
                let s = (offset - start) as usize;
                return b.get(s..s + len as usize);
            }
        }
        None
    }

    fn has(&self, offset: u64, len: u64) -> bool {
        self.get(offset, len).is_some()
    }

    fn add(&mut self, start: u64, b: Bytes) {
        if !b.is_empty() {
            self.segs.push((start, b));
        }
    }
}

/// Byte-order aware integer reads.
#[derive(Clone, Copy)]
struct Order {
    big: bool,
}

impl Order {
    fn u16(self, b: &[u8]) -> u16 {
        let a = [b[0], b[1]];
        if self.big {
            u16::from_be_bytes(a)
        } else {
            u16::from_le_bytes(a)
        }
    }
    fn u32(self, b: &[u8]) -> u32 {
        let a = [b[0], b[1], b[2], b[3]];
        if self.big {
            u32::from_be_bytes(a)
        } else {
            u32::from_le_bytes(a)
        }
    }
    fn u64(self, b: &[u8]) -> u64 {
        let mut a = [0u8; 8];
        a.copy_from_slice(&b[..8]);
        if self.big {
            u64::from_be_bytes(a)
        } else {
            u64::from_le_bytes(a)
        }
    }
}

/// Where a tag's value bytes are.
enum Loc {
    Inline(Vec<u8>),
    At { offset: u64, len: u64 },
}

struct RawEntry {
    tag: u16,
    typ: u16,
    loc: Loc,
}

struct RawIfd {
    offset: u64,
    entries: Vec<RawEntry>,
}

fn map_io(e: io::Error) -> Error {
    match e {
        io::Error::Truncated { expected, got, .. } => Error::malformed(
            format!("data past the end of the file (wanted {expected} bytes, got {got})"),
            0,
        ),
        other => Error::Io(other),
    }
}

/// Parses the header of `source`: one read of `opts.header_bytes`, then the missing IFDs, then
/// one coalesced read for every tag value beyond the loaded bytes.
pub async fn parse(source: &dyn ByteSource, opts: &ParseOptions) -> Result<Tiff, Error> {
    let limits = &opts.limits;
    let first = source
        .read(0..opts.header_bytes.max(16))
        .await
        .map_err(map_io)?;
    let mut reads = 1u32;
    if first.len() < 8 {
        return Err(Error::NotTiff {
            why: "shorter than the 8-byte tiff header",
        });
    }
    let big = match &first[0..2] {
        b"II" => false,
        b"MM" => true,
        _ => {
            return Err(Error::NotTiff {
                why: "no II/MM byte-order mark",
            })
        }
    };
    let o = Order { big };
    let (bigtiff, first_ifd) = match o.u16(&first[2..4]) {
        42 => (false, o.u32(&first[4..8]) as u64),
        43 => {
            if first.len() < 16 {
                return Err(Error::malformed("bigtiff header shorter than 16 bytes", 0));
            }
            if o.u16(&first[4..6]) != 8 {
                return Err(Error::Unsupported {
                    what: format!("bigtiff offset size {}", o.u16(&first[4..6])),
                });
            }
            (true, o.u64(&first[8..16]))
        }
        _ => {
            return Err(Error::NotTiff {
                why: "no tiff (42) or bigtiff (43) version number",
            })
        }
    };
    let ghost = ghost_metadata(&first, if bigtiff { 16 } else { 8 });
    let mut segs = Segments {
        segs: vec![(0, first)],
    };
    let (count_size, entry_size, off_size) = if bigtiff { (8, 20, 8) } else { (2, 12, 4) };

    // 1. The IFD chain.
    let mut raws: Vec<RawIfd> = Vec::new();
    let mut seen = HashSet::new();
    let mut next = first_ifd;
    while next != 0 {
        if raws.len() >= limits.max_ifds {
            return Err(Error::Limit {
                what: "ifd count",
                value: raws.len() as u64 + 1,
                max: limits.max_ifds as u64,
            });
        }
        if !seen.insert(next) {
            return Err(Error::malformed("ifd chain loops back", next));
        }
        if !segs.has(next, count_size) {
            let b = source
                .read(next..next.saturating_add(opts.ifd_readahead.max(count_size)))
                .await
                .map_err(map_io)?;
            reads += 1;
            segs.add(next, b);
        }
        let count = match segs.get(next, count_size) {
            Some(b) if bigtiff => o.u64(b),
            Some(b) => o.u16(b) as u64,
            None => {
                return Err(Error::malformed(
                    "ifd offset past the end of the file",
                    next,
                ))
            }
        };
        if count > limits.max_entries {
            return Err(Error::Limit {
                what: "ifd entry count",
                value: count,
                max: limits.max_entries,
            });
        }
        let body_len = count * entry_size + off_size;
        let body_at = next
            .checked_add(count_size)
            .filter(|a| a.checked_add(body_len).is_some())
            .ok_or_else(|| Error::malformed("ifd offset overflows", next))?;
        if !segs.has(body_at, body_len) {
            let b = io::read_exact(source, body_at..body_at + body_len)
                .await
                .map_err(|_| Error::malformed("ifd runs past the end of the file", next))?;
            reads += 1;
            segs.add(body_at, b);
        }
        let body = segs
            .get(body_at, body_len)
            .ok_or_else(|| Error::malformed("ifd runs past the end of the file", next))?;
        let mut entries = Vec::with_capacity(count as usize);
        for i in 0..count as usize {
            let e = &body[i * entry_size as usize..(i + 1) * entry_size as usize];
            let tag = o.u16(&e[0..2]);
            if !tag::KNOWN.contains(&tag) {
                continue;
            }
            let typ = o.u16(&e[2..4]);
            let Some(tsize) = type_size(typ) else {
                return Err(Error::malformed(
                    format!("tag {tag} has unknown field type {typ}"),
                    next,
                ));
            };
            let n = if bigtiff {
                o.u64(&e[4..12])
            } else {
                o.u32(&e[4..8]) as u64
            };
            let len = n.checked_mul(tsize).filter(|&l| l <= limits.max_tag_bytes);
            let Some(len) = len else {
                return Err(Error::Limit {
                    what: "tag value bytes",
                    value: n.saturating_mul(tsize),
                    max: limits.max_tag_bytes,
                });
            };
            let field = if bigtiff { &e[12..20] } else { &e[8..12] };
            let loc = if len <= off_size {
                Loc::Inline(field[..len as usize].to_vec())
            } else {
                let offset = if bigtiff {
                    o.u64(field)
                } else {
                    o.u32(field) as u64
                };
                Loc::At { offset, len }
            };
            entries.push(RawEntry { tag, typ, loc });
        }
        let next_at = count as usize * entry_size as usize;
        next = if bigtiff {
            o.u64(&body[next_at..next_at + 8])
        } else {
            o.u32(&body[next_at..next_at + 4]) as u64
        };
        raws.push(RawIfd {
            offset: body_at - count_size,
            entries,
        });
    }
    if raws.is_empty() {
        return Err(Error::malformed("no image file directory", first_ifd));
    }

    // 2. Every out-of-line value not loaded yet, in one coalesced batch.
    let mut missing: Vec<Range<u64>> = Vec::new();
    for r in &raws {
        for e in &r.entries {
            if let Loc::At { offset, len } = e.loc {
                if !segs.has(offset, len) {
                    let end = offset
                        .checked_add(len)
                        .ok_or_else(|| Error::malformed("tag value offset overflows", offset))?;
                    if let Some(size) = source.size() {
                        if end > size {
                            return Err(Error::malformed(
                                format!("tag {} value past the end of the file", e.tag),
                                offset,
                            ));
                        }
                    }
                    missing.push(offset..end);
                }
            }
        }
    }
    if !missing.is_empty() {
        let got = io::read_ranges(source, &missing, opts.coalesce_gap)
            .await
            .map_err(map_io)?;
        reads += io::coalesce(&missing, opts.coalesce_gap).len() as u32;
        for (r, b) in missing.iter().zip(got) {
            segs.add(r.start, b);
        }
    }

    // 3. Decode.
    let mut ifds = Vec::with_capacity(raws.len());
    for (index, r) in raws.iter().enumerate() {
        let mut values = BTreeMap::new();
        for e in &r.entries {
            let data: &[u8] = match &e.loc {
                Loc::Inline(v) => v,
                Loc::At { offset, len } => segs.get(*offset, *len).ok_or_else(|| {
                    Error::malformed(format!("tag {} value not readable", e.tag), *offset)
                })?,
            };
            if let Some(v) = Value::decode(e.typ, data, big) {
                values.insert(e.tag, v);
            }
        }
        ifds.push(Ifd::from_values(index, r.offset, values, limits)?);
    }
    Ok(Tiff {
        big_endian: big,
        bigtiff,
        ifds,
        ghost,
        file_size: source.size(),
        reads,
    })
}

/// GDAL's COG writer puts `GDAL_STRUCTURAL_METADATA_SIZE=XXXXXX bytes\n...` right after the
/// header; it tells whether IFDs precede data and how blocks are ordered.
fn ghost_metadata(first: &[u8], at: usize) -> Option<String> {
    const KEY: &[u8] = b"GDAL_STRUCTURAL_METADATA_SIZE=";
    let rest = first.get(at..)?;
    if !rest.starts_with(KEY) {
        return None;
    }
    let digits = rest.get(KEY.len()..KEY.len() + 6)?;
    let size: usize = std::str::from_utf8(digits).ok()?.trim().parse().ok()?;
    let line_end = rest.iter().position(|&b| b == b'\n')? + 1;
    let body = rest.get(line_end..line_end.checked_add(size)?)?;
    Some(String::from_utf8_lossy(body).into_owned())
}
