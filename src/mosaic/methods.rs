//! rio-tiler's nine pixel-selection methods, fed one asset image at a time.
//!
//! Masks are per band, as rio-tiler's masked arrays are: an input band's validity comes from
//! [`ImageData::band_masks`]. The numpy details that show in TiTiler's output are kept:
//! - `first`/`highest`/`lowest`/`lastband*` take the new pixel whenever the mosaic pixel is
//!   masked, even if the new one is masked too (its data then shows under the mask);
//! - `lastband*` decide with the last band's data but per band's mask, and drop that band (a
//!   one-band input leaves no data band: TiTiler then serves just the mask);
//! - `mean`/`median` are cast back to the input type by truncation (`astype`), fully masked
//!   pixels hold 0; `mean` sums float32 in float32 before dividing in float64;
//! - `stdev` is float64 (population, ddof 0); `count` is one uint8 band of valid counts of the
//!   first band, never masked.

use super::Error;
use crate::raster::{DataType, Raster, Sample, Samples};
use crate::reader::ImageData;

/// A `pixel_selection` query value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum PixelSelection {
    #[default]
    First,
    Highest,
    Lowest,
    Mean,
    Median,
    Stdev,
    LastBandLow,
    LastBandHigh,
    Count,
}

impl PixelSelection {
    /// In TiTiler's order (its `Literal`, hence its 422 message).
    pub const ALL: [PixelSelection; 9] = [
        PixelSelection::First,
        PixelSelection::Highest,
        PixelSelection::Lowest,
        PixelSelection::Mean,
        PixelSelection::Median,
        PixelSelection::Stdev,
        PixelSelection::LastBandLow,
        PixelSelection::LastBandHigh,
        PixelSelection::Count,
    ];

    /// Parses a query value; unknown names (including rio-tiler's deprecated `lastbandhight`,
    /// which TiTiler's `Literal` does not list) are [`Error::UnknownPixelSelection`].
    pub fn parse(name: &str) -> Result<PixelSelection, Error> {
        PixelSelection::ALL
            .into_iter()
            .find(|m| m.name() == name)
            .ok_or_else(|| Error::UnknownPixelSelection {
                name: name.to_string(),
            })
    }

    pub fn name(self) -> &'static str {
        match self {
            PixelSelection::First => "first",
            PixelSelection::Highest => "highest",
            PixelSelection::Lowest => "lowest",
            PixelSelection::Mean => "mean",
            PixelSelection::Median => "median",
            PixelSelection::Stdev => "stdev",
            PixelSelection::LastBandLow => "lastbandlow",
            PixelSelection::LastBandHigh => "lastbandhigh",
            PixelSelection::Count => "count",
        }
    }

    /// rio-tiler's class name (`metadata["mosaic_method"]`).
    pub fn class_name(self) -> &'static str {
        match self {
            PixelSelection::First => "FirstMethod",
            PixelSelection::Highest => "HighestMethod",
            PixelSelection::Lowest => "LowestMethod",
            PixelSelection::Mean => "MeanMethod",
            PixelSelection::Median => "MedianMethod",
            PixelSelection::Stdev => "StdevMethod",
            PixelSelection::LastBandLow => "LastBandLowMethod",
            PixelSelection::LastBandHigh => "LastBandHighMethod",
            PixelSelection::Count => "CountMethod",
        }
    }

    /// pydantic's list of allowed literals: `'first', 'highest', ... or 'count'` (the 422
    /// `ctx.expected`; the message is `Input should be ` + this).
    pub fn expected() -> String {
        let names: Vec<String> = PixelSelection::ALL
            .iter()
            .map(|m| format!("'{}'", m.name()))
            .collect();
        format!("{} or {}", names[..8].join(", "), names[8])
    }

    /// Whether the method stops reading once every pixel of every band is valid.
    pub fn exits_when_filled(self) -> bool {
        self == PixelSelection::First
    }
}

impl std::str::FromStr for PixelSelection {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        PixelSelection::parse(s)
    }
}

/// What the first image fixes for the output (rio-tiler copies it from the first read).
#[derive(Debug)]
struct Meta {
    width: usize,
    height: usize,
    bands: usize,
    dtype: DataType,
    bounds: [f64; 4],
    crs: crate::crs::Crs,
    band_names: Vec<String>,
    band_descriptions: Vec<String>,
}

/// The running state: the current mosaic for the selection methods, the stack for the others.
#[derive(Debug)]
enum State {
    Empty,
    Mosaic {
        data: Samples,
        valid: Vec<bool>,
    },
    Stack(Vec<(Samples, Vec<bool>)>),
    /// `count` only needs the first band's validity, summed as images arrive.
    Count {
        counts: Vec<u32>,
        fed: usize,
    },
}

/// Merges asset images with a [`PixelSelection`].
#[derive(Debug)]
pub struct Mosaicker {
    method: PixelSelection,
    meta: Option<Meta>,
    state: State,
    used: usize,
}

/// Per-band validity of an image, `bands × plane` booleans.
fn band_validity(img: &ImageData) -> Vec<bool> {
    let plane = img.raster.plane_len();
    let bands = img.raster.bands;
    if img.band_masks.len() == bands && img.band_masks.iter().all(|m| m.len() == plane) {
        img.band_masks.iter().flatten().map(|&m| m != 0).collect()
    } else {
        (0..bands)
            .flat_map(|_| img.raster.mask.iter().map(|&m| m != 0))
            .collect()
    }
}

/// Which pixels the selection methods take from the new image.
#[derive(Clone, Copy)]
enum Rule {
    First,
    Highest,
    Lowest,
    LastHigh,
    LastLow,
}

fn select<T: Sample>(
    rule: Rule,
    plane: usize,
    bands: usize,
    m: &mut [T],
    mv: &mut [bool],
    a: &[T],
    av: &[bool],
) {
    let last = (bands - 1) * plane;
    for i in 0..m.len() {
        let take = match rule {
            Rule::First => !mv[i] && av[i],
            Rule::Highest => (a[i] > m[i] && av[i]) || !mv[i],
            Rule::Lowest => (a[i] < m[i] && av[i]) || !mv[i],
            Rule::LastHigh => {
                let p = last + i % plane;
                (a[p] > m[p] && av[i]) || !mv[i]
            }
            Rule::LastLow => {
                let p = last + i % plane;
                (a[p] < m[p] && av[i]) || !mv[i]
            }
        };
        if take {
            m[i] = a[i];
            mv[i] = av[i];
        }
    }
}

/// Applies `rule` for same-typed buffers. The `lastband*` rules read the last band's mosaic
/// values, which in-order updates only touch after every other band has been decided.
fn select_samples(
    rule: Rule,
    plane: usize,
    bands: usize,
    m: &mut Samples,
    mv: &mut [bool],
    a: &Samples,
    av: &[bool],
) -> Result<(), Error> {
    macro_rules! go {
        ($($v:ident),*) => {
            match (m, a) {
                $((Samples::$v(m), Samples::$v(a)) => {
                    select(rule, plane, bands, m, mv, a, av);
                    Ok(())
                })*
                (m, a) => Err(Error::Malformed(format!(
                    "asset data type {} differs from the first asset's {}",
                    a.dtype(),
                    m.dtype()
                ))),
            }
        };
    }
    go!(U8, I8, U16, I16, U32, I32, F32, F64)
}

/// numpy's `astype` from float64 to an integer type: truncation toward zero (values here are
/// means and medians of that type, so in range).
fn cast_trunc(dtype: DataType, vals: &[f64]) -> Samples {
    let mut s = Samples::zeros(dtype, vals.len());
    crate::with_samples!(&mut s, v => {
        for (d, x) in v.iter_mut().zip(vals) {
            *d = Sample::from_f64(if dtype.is_float() { *x } else { x.trunc() });
        }
    });
    s
}

impl Mosaicker {
    pub fn new(method: PixelSelection) -> Mosaicker {
        Mosaicker {
            method,
            meta: None,
            state: State::Empty,
            used: 0,
        }
    }

    pub fn method(&self) -> PixelSelection {
        self.method
    }

    /// How many images were fed (rio-tiler's `mosaic_assets_used`).
    pub fn used(&self) -> usize {
        self.used
    }

    /// Adds the next asset's image; returns whether the mosaic is done (only `first` ever is:
    /// every band of every pixel valid). Images must share the first one's size, band count and
    /// data type.
    pub fn feed(&mut self, img: ImageData) -> Result<bool, Error> {
        let r = &img.raster;
        if r.data.len() != r.bands * r.plane_len() || r.mask.len() != r.plane_len() {
            return Err(Error::Malformed(format!(
                "{} bands of {}x{} with {} samples and a {}-pixel mask",
                r.bands,
                r.width,
                r.height,
                r.data.len(),
                r.mask.len()
            )));
        }
        match &self.meta {
            None => {
                if r.bands == 0 {
                    return Err(Error::Malformed("an image without bands".into()));
                }
                self.meta = Some(Meta {
                    width: r.width,
                    height: r.height,
                    bands: r.bands,
                    dtype: r.dtype(),
                    bounds: img.bounds,
                    crs: img.crs.clone(),
                    band_names: img.band_names.clone(),
                    band_descriptions: img.band_descriptions.clone(),
                });
            }
            Some(m) => {
                if r.bands != m.bands {
                    return Err(Error::BandCount {
                        expected: m.bands,
                        got: r.bands,
                    });
                }
                if (r.width, r.height) != (m.width, m.height) {
                    return Err(Error::Malformed(format!(
                        "asset image is {}x{}, the first was {}x{}",
                        r.width, r.height, m.width, m.height
                    )));
                }
                if r.dtype() != m.dtype {
                    return Err(Error::Malformed(format!(
                        "asset data type {} differs from the first asset's {}",
                        r.dtype(),
                        m.dtype
                    )));
                }
            }
        }
        let valid = band_validity(&img);
        let plane = r.plane_len();
        let bands = r.bands;
        let rule = match self.method {
            PixelSelection::First => Some(Rule::First),
            PixelSelection::Highest => Some(Rule::Highest),
            PixelSelection::Lowest => Some(Rule::Lowest),
            PixelSelection::LastBandHigh => Some(Rule::LastHigh),
            PixelSelection::LastBandLow => Some(Rule::LastLow),
            _ => None,
        };
        let state = std::mem::replace(&mut self.state, State::Empty);
        self.state = match (state, rule) {
            (State::Empty, Some(_)) => State::Mosaic {
                data: img.raster.data,
                valid,
            },
            (
                State::Mosaic {
                    mut data,
                    valid: mut mv,
                },
                Some(rule),
            ) => {
                select_samples(
                    rule,
                    plane,
                    bands,
                    &mut data,
                    &mut mv,
                    &img.raster.data,
                    &valid,
                )?;
                State::Mosaic { data, valid: mv }
            }
            (State::Empty, None) if self.method == PixelSelection::Count => State::Count {
                counts: valid[..plane].iter().map(|&v| u32::from(v)).collect(),
                fed: 1,
            },
            (State::Count { mut counts, fed }, None) => {
                for (c, &v) in counts.iter_mut().zip(&valid[..plane]) {
                    *c += u32::from(v);
                }
                State::Count {
                    counts,
                    fed: fed + 1,
                }
            }
            (State::Empty, None) => State::Stack(vec![(img.raster.data, valid)]),
            (State::Stack(mut s), None) => {
                s.push((img.raster.data, valid));
                State::Stack(s)
            }
            (s, _) => s,
        };
        self.used += 1;
        Ok(self.is_done())
    }

    /// rio-tiler's `is_done`: only for `first`, once nothing is masked.
    pub fn is_done(&self) -> bool {
        self.method.exits_when_filled()
            && matches!(&self.state, State::Mosaic { valid, .. } if valid.iter().all(|&v| v))
    }

    /// The merged image, or `None` when nothing was fed (rio-tiler's `EmptyMosaicError`).
    /// Bounds, CRS, band names and descriptions are the first image's, as rio-tiler sets them
    /// (so `lastband*` and `count` keep the input's names though they output fewer bands).
    pub fn finish(self) -> Option<ImageData> {
        let meta = self.meta?;
        let plane = meta.width * meta.height;
        let (data, valid, bands): (Samples, Vec<bool>, usize) = match self.state {
            State::Empty => return None,
            State::Mosaic { data, valid } => match self.method {
                PixelSelection::LastBandLow | PixelSelection::LastBandHigh => {
                    let keep = (meta.bands - 1) * plane;
                    let mut data = data;
                    crate::with_samples!(&mut data, v => v.truncate(keep));
                    (data, valid[..keep].to_vec(), meta.bands - 1)
                }
                _ => (data, valid, meta.bands),
            },
            State::Count { counts, fed } => {
                // numpy.ma.count gives int64; rio-tiler narrows to uint8 below 256 images.
                // No int64 sample type here: uint32 holds any count.
                let data = if fed < 256 {
                    Samples::U8(counts.iter().map(|&c| c as u8).collect())
                } else {
                    Samples::U32(counts)
                };
                (data, vec![true; plane], 1)
            }
            State::Stack(stack) => {
                let (data, valid) =
                    reduce_stack(self.method, meta.dtype, plane * meta.bands, &stack);
                (data, valid, meta.bands)
            }
        };
        let band_masks: Vec<Vec<u8>> = valid
            .chunks(plane.max(1))
            .map(|b| b.iter().map(|&v| if v { 255 } else { 0 }).collect())
            .collect();
        let mask: Vec<u8> = (0..plane)
            .map(|p| {
                if (0..bands).any(|b| valid[b * plane + p]) {
                    255
                } else {
                    0
                }
            })
            .collect();
        Some(ImageData {
            raster: Raster {
                width: meta.width,
                height: meta.height,
                bands,
                data,
                mask,
            },
            band_masks,
            alpha: None,
            bounds: meta.bounds,
            crs: meta.crs,
            band_names: meta.band_names,
            band_descriptions: meta.band_descriptions,
            dataset_statistics: None,
            scales: vec![1.0; bands],
            offsets: vec![0.0; bands],
            nodata: None,
        })
    }
}

/// mean / median / stdev over the stack, per band and pixel (`samples` = bands × plane), over
/// the valid values only.
fn reduce_stack(
    method: PixelSelection,
    dtype: DataType,
    samples: usize,
    stack: &[(Samples, Vec<bool>)],
) -> (Samples, Vec<bool>) {
    let mut out = vec![0.0f64; samples];
    let mut valid = vec![false; samples];
    let mut vals: Vec<f64> = Vec::with_capacity(stack.len());
    for i in 0..samples {
        vals.clear();
        for (data, v) in stack {
            if v[i] {
                vals.push(data.get_f64(i));
            }
        }
        if vals.is_empty() {
            continue;
        }
        valid[i] = true;
        let n = vals.len() as f64;
        // numpy sums float32 in float32 (then divides in float64), other types exactly.
        let mean = if dtype == DataType::F32 {
            f64::from(vals.iter().fold(0f32, |s, &x| s + x as f32)) / n
        } else {
            vals.iter().sum::<f64>() / n
        };
        out[i] = match method {
            PixelSelection::Mean => mean,
            PixelSelection::Stdev => {
                (vals.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / n).sqrt()
            }
            _ => {
                vals.sort_by(|a, b| a.total_cmp(b));
                let k = vals.len();
                if k % 2 == 1 {
                    vals[k / 2]
                } else {
                    (vals[k / 2 - 1] + vals[k / 2]) / 2.0
                }
            }
        };
    }
    let data = if method == PixelSelection::Stdev {
        Samples::F64(out)
    } else {
        cast_trunc(dtype, &out)
    };
    (data, valid)
}

#[cfg(test)]
#[path = "methods_tests.rs"]
mod tests;
