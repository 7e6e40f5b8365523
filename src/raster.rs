//! In-memory rasters: typed sample buffers plus a validity mask.
//!
//! Everything above the codecs passes pixels around as a [`Raster`]: `bands` planes of
//! `width × height` samples stored band-sequentially (numpy's `(bands, rows, cols)` C order),
//! and one `u8` mask plane where 255 means "valid" and 0 means "no data". Keeping the sample
//! type as an enum ([`Samples`]) instead of a generic parameter lets one code path serve every
//! TIFF data type without monomorphising the whole pipeline eight times.

use std::fmt;

/// The sample types a GeoTIFF band can hold (GDAL's names in [`DataType::name`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DataType {
    U8,
    I8,
    U16,
    I16,
    U32,
    I32,
    F32,
    F64,
}

impl DataType {
    /// Bytes per sample.
    pub fn size(self) -> usize {
        match self {
            DataType::U8 | DataType::I8 => 1,
            DataType::U16 | DataType::I16 => 2,
            DataType::U32 | DataType::I32 | DataType::F32 => 4,
            DataType::F64 => 8,
        }
    }

    /// numpy/rasterio dtype name, as TiTiler prints it (`uint8`, `float32`, ...).
    pub fn name(self) -> &'static str {
        match self {
            DataType::U8 => "uint8",
            DataType::I8 => "int8",
            DataType::U16 => "uint16",
            DataType::I16 => "int16",
            DataType::U32 => "uint32",
            DataType::I32 => "int32",
            DataType::F32 => "float32",
            DataType::F64 => "float64",
        }
    }

    /// numpy's `.npy` descriptor for little-endian data (`|u1`, `<i2`, `<f4`, ...).
    pub fn npy_descr(self) -> &'static str {
        match self {
            DataType::U8 => "|u1",
            DataType::I8 => "|i1",
            DataType::U16 => "<u2",
            DataType::I16 => "<i2",
            DataType::U32 => "<u4",
            DataType::I32 => "<i4",
            DataType::F32 => "<f4",
            DataType::F64 => "<f8",
        }
    }

    pub fn is_float(self) -> bool {
        matches!(self, DataType::F32 | DataType::F64)
    }

    /// The TIFF (SampleFormat, BitsPerSample) pair for this type.
    /// SampleFormat: 1 = unsigned integer, 2 = signed integer, 3 = IEEE float.
    pub fn from_tiff(sample_format: u16, bits: u16) -> Option<DataType> {
        Some(match (sample_format, bits) {
            (1, 8) => DataType::U8,
            (2, 8) => DataType::I8,
            (1, 16) => DataType::U16,
            (2, 16) => DataType::I16,
            (1, 32) => DataType::U32,
            (2, 32) => DataType::I32,
            (3, 32) => DataType::F32,
            (3, 64) => DataType::F64,
            _ => return None,
        })
    }

    /// Smallest and largest representable value (for integer types; ±f64::MAX for floats).
    pub fn range(self) -> (f64, f64) {
        match self {
            DataType::U8 => (0.0, u8::MAX as f64),
            DataType::I8 => (i8::MIN as f64, i8::MAX as f64),
            DataType::U16 => (0.0, u16::MAX as f64),
            DataType::I16 => (i16::MIN as f64, i16::MAX as f64),
            DataType::U32 => (0.0, u32::MAX as f64),
            DataType::I32 => (i32::MIN as f64, i32::MAX as f64),
            DataType::F32 => (f32::MIN as f64, f32::MAX as f64),
            DataType::F64 => (f64::MIN, f64::MAX),
        }
    }
}

impl fmt::Display for DataType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A typed, band-sequential sample buffer.
#[derive(Clone, Debug, PartialEq)]
pub enum Samples {
    U8(Vec<u8>),
    I8(Vec<i8>),
    U16(Vec<u16>),
    I16(Vec<i16>),
    U32(Vec<u32>),
    I32(Vec<i32>),
    F32(Vec<f32>),
    F64(Vec<f64>),
}

/// Runs `$body` with `$v` bound to the inner `Vec<T>` of a [`Samples`], whatever `T` is.
#[macro_export]
macro_rules! with_samples {
    ($samples:expr, $v:ident => $body:expr) => {
        match $samples {
            $crate::raster::Samples::U8($v) => $body,
            $crate::raster::Samples::I8($v) => $body,
            $crate::raster::Samples::U16($v) => $body,
            $crate::raster::Samples::I16($v) => $body,
            $crate::raster::Samples::U32($v) => $body,
            $crate::raster::Samples::I32($v) => $body,
            $crate::raster::Samples::F32($v) => $body,
            $crate::raster::Samples::F64($v) => $body,
        }
    };
}

/// A sample type that can live in [`Samples`].
pub trait Sample: Copy + Default + PartialOrd + Send + Sync + 'static {
    const DTYPE: DataType;
    fn to_f64(self) -> f64;
    /// Converts with GDAL's rules: round half away from zero for integers, clamp to range.
    fn from_f64(v: f64) -> Self;
    fn wrap(v: Vec<Self>) -> Samples;
}

/// `v.round()` (half away from zero) without the libm call `f64::round` compiles to on
/// baseline x86-64, where it showed up in profiles of every integer-typed read. Exact: below
/// 2^52 the fraction `v - trunc(v)` is representable, above it every f64 is an integer.
fn round_half_away(v: f64) -> f64 {
    if v.abs() >= 4_503_599_627_370_496.0 || v.is_nan() {
        return v;
    }
    let t = v as i64 as f64;
    let d = v - t;
    if d >= 0.5 {
        t + 1.0
    } else if d <= -0.5 {
        t - 1.0
    } else {
        t
    }
}

macro_rules! impl_int_sample {
    ($t:ty, $variant:ident) => {
        impl Sample for $t {
            const DTYPE: DataType = DataType::$variant;
            fn to_f64(self) -> f64 {
                self as f64
            }
            fn from_f64(v: f64) -> Self {
                if v.is_nan() {
                    return 0 as $t;
                }
                let r = round_half_away(v);
                if r <= <$t>::MIN as f64 {
                    <$t>::MIN
                } else if r >= <$t>::MAX as f64 {
                    <$t>::MAX
                } else {
                    r as $t
                }
            }
            fn wrap(v: Vec<Self>) -> Samples {
                Samples::$variant(v)
            }
        }
    };
}
impl_int_sample!(u8, U8);
impl_int_sample!(i8, I8);
impl_int_sample!(u16, U16);
impl_int_sample!(i16, I16);
impl_int_sample!(u32, U32);
impl_int_sample!(i32, I32);

impl Sample for f32 {
    const DTYPE: DataType = DataType::F32;
    fn to_f64(self) -> f64 {
        self as f64
    }
    fn from_f64(v: f64) -> Self {
        v as f32
    }
    fn wrap(v: Vec<Self>) -> Samples {
        Samples::F32(v)
    }
}

impl Sample for f64 {
    const DTYPE: DataType = DataType::F64;
    fn to_f64(self) -> f64 {
        self
    }
    fn from_f64(v: f64) -> Self {
        v
    }
    fn wrap(v: Vec<Self>) -> Samples {
        Samples::F64(v)
    }
}

impl Samples {
    /// A zero-filled buffer of `len` samples.
    pub fn zeros(dtype: DataType, len: usize) -> Samples {
        match dtype {
            DataType::U8 => Samples::U8(vec![0; len]),
            DataType::I8 => Samples::I8(vec![0; len]),
            DataType::U16 => Samples::U16(vec![0; len]),
            DataType::I16 => Samples::I16(vec![0; len]),
            DataType::U32 => Samples::U32(vec![0; len]),
            DataType::I32 => Samples::I32(vec![0; len]),
            DataType::F32 => Samples::F32(vec![0.0; len]),
            DataType::F64 => Samples::F64(vec![0.0; len]),
        }
    }

    /// A buffer of `len` copies of `value` (converted to the type with [`Sample::from_f64`]).
    pub fn filled(dtype: DataType, len: usize, value: f64) -> Samples {
        let mut s = Samples::zeros(dtype, len);
        with_samples!(&mut s, v => {
            let x = Sample::from_f64(value);
            v.iter_mut().for_each(|p| *p = x);
        });
        s
    }

    pub fn dtype(&self) -> DataType {
        match self {
            Samples::U8(_) => DataType::U8,
            Samples::I8(_) => DataType::I8,
            Samples::U16(_) => DataType::U16,
            Samples::I16(_) => DataType::I16,
            Samples::U32(_) => DataType::U32,
            Samples::I32(_) => DataType::I32,
            Samples::F32(_) => DataType::F32,
            Samples::F64(_) => DataType::F64,
        }
    }

    pub fn len(&self) -> usize {
        with_samples!(self, v => v.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `parts` of type `dtype` one after the other (`None` if a part has another type).
    pub fn concat(dtype: DataType, parts: &[Samples]) -> Option<Samples> {
        let total = parts.iter().map(Samples::len).sum();
        macro_rules! cat {
            ($variant:ident) => {{
                let mut out = Vec::with_capacity(total);
                for p in parts {
                    match p {
                        Samples::$variant(v) => out.extend_from_slice(v),
                        _ => return None,
                    }
                }
                Samples::$variant(out)
            }};
        }
        Some(match dtype {
            DataType::U8 => cat!(U8),
            DataType::I8 => cat!(I8),
            DataType::U16 => cat!(U16),
            DataType::I16 => cat!(I16),
            DataType::U32 => cat!(U32),
            DataType::I32 => cat!(I32),
            DataType::F32 => cat!(F32),
            DataType::F64 => cat!(F64),
        })
    }

    /// Sample `i` as f64.
    pub fn get_f64(&self, i: usize) -> f64 {
        with_samples!(self, v => v[i].to_f64())
    }

    /// All samples converted to f64 (for band math and statistics).
    pub fn to_f64_vec(&self) -> Vec<f64> {
        with_samples!(self, v => v.iter().map(|x| x.to_f64()).collect())
    }

    /// Little-endian bytes of every sample, in order (the body of a `.npy` file).
    pub fn to_le_bytes(&self) -> Vec<u8> {
        macro_rules! le {
            ($v:expr) => {{
                let mut out =
                    Vec::with_capacity($v.len() * std::mem::size_of_val(&$v[0..0]).max(1));
                for x in $v.iter() {
                    out.extend_from_slice(&x.to_le_bytes());
                }
                out
            }};
        }
        match self {
            Samples::U8(v) => v.clone(),
            Samples::I8(v) => v.iter().map(|x| *x as u8).collect(),
            Samples::U16(v) => le!(v),
            Samples::I16(v) => le!(v),
            Samples::U32(v) => le!(v),
            Samples::I32(v) => le!(v),
            Samples::F32(v) => le!(v),
            Samples::F64(v) => le!(v),
        }
    }
}

/// A window of pixels: `bands` planes of `width × height` samples plus a validity mask.
#[derive(Clone, Debug, PartialEq)]
pub struct Raster {
    pub width: usize,
    pub height: usize,
    pub bands: usize,
    /// Band-sequential samples, `bands * height * width` long.
    pub data: Samples,
    /// One byte per pixel, `height * width` long: 255 valid, 0 no data.
    pub mask: Vec<u8>,
}

impl Raster {
    /// A raster of zeros with every pixel masked out.
    pub fn empty(dtype: DataType, bands: usize, width: usize, height: usize) -> Raster {
        Raster {
            width,
            height,
            bands,
            data: Samples::zeros(dtype, bands * width * height),
            mask: vec![0; width * height],
        }
    }

    pub fn dtype(&self) -> DataType {
        self.data.dtype()
    }

    /// Pixels per band.
    pub fn plane_len(&self) -> usize {
        self.width * self.height
    }
}

impl DataType {
    /// The type numpy gives a concatenation of arrays of types `self` and `other`
    /// (`numpy.result_type`; 64-bit integers, which cogtiler does not carry, become float64).
    pub fn promote(self, other: DataType) -> DataType {
        use DataType::*;
        if self == other {
            return self;
        }
        // (is float, is signed, bits)
        let k = |t: DataType| match t {
            U8 => (false, false, 8),
            I8 => (false, true, 8),
            U16 => (false, false, 16),
            I16 => (false, true, 16),
            U32 => (false, false, 32),
            I32 => (false, true, 32),
            F32 => (true, true, 32),
            F64 => (true, true, 64),
        };
        let (a, b) = (k(self), k(other));
        let int_bits = |t: (bool, bool, u32)| if t.0 { 0 } else { t.2 };
        if a.0 || b.0 {
            // float with float, or float with an integer it can hold exactly (≤ 16 bits)
            let float_bits = if a.0 { a.2 } else { 0 }.max(if b.0 { b.2 } else { 0 });
            let ints = int_bits(a).max(int_bits(b));
            return if float_bits == 64 || ints >= 32 {
                F64
            } else {
                F32
            };
        }
        let bits = match (a.1, b.1) {
            (false, false) | (true, true) => a.2.max(b.2),
            // mixing signed and unsigned: a signed type wider than the unsigned one
            _ => {
                let (u, s) = if a.1 { (b.2, a.2) } else { (a.2, b.2) };
                if s > u {
                    s
                } else {
                    u * 2
                }
            }
        };
        match (a.1 || b.1, bits) {
            (false, 8) => U8,
            (false, 16) => U16,
            (false, 32) => U32,
            (true, 8) => I8,
            (true, 16) => I16,
            (true, 32) => I32,
            _ => F64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_half_away_matches_f64_round() {
        for v in [
            0.0,
            -0.0,
            0.49999999999999994,
            0.5,
            1.5,
            2.5,
            -0.5,
            -1.5,
            -2.4999,
            1e15 + 0.5,
            -1e15 - 0.5,
            4.6e18,
            -7.7e30,
            123456.789,
            f64::MAX,
            f64::MIN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ] {
            assert_eq!(round_half_away(v), v.round(), "{v}");
        }
    }

    #[test]
    fn from_f64_rounds_and_clamps_like_gdal() {
        assert_eq!(u8::from_f64(254.5), 255);
        assert_eq!(u8::from_f64(300.0), 255);
        assert_eq!(u8::from_f64(-3.0), 0);
        assert_eq!(i16::from_f64(-2.5), -3);
        assert_eq!(u16::from_f64(f64::NAN), 0);
    }

    #[test]
    fn le_bytes_follow_sample_order() {
        let s = Samples::U16(vec![1, 0x0203]);
        assert_eq!(s.to_le_bytes(), vec![1, 0, 3, 2]);
        assert_eq!(Samples::I8(vec![-1]).to_le_bytes(), vec![255]);
    }

    #[test]
    fn filled_converts_value() {
        let s = Samples::filled(DataType::I16, 3, -9999.0);
        assert_eq!(s, Samples::I16(vec![-9999; 3]));
    }
}

/// The mask written as an extra band of `dtype` (npy, tif): rio-tiler's mask holds the dtype's
/// maximum for valid pixels and its minimum for invalid ones; a partial real alpha keeps its
/// value (scaled to the type's maximum for wider integer types).
pub fn alpha_as_band(dtype: DataType, alpha: &[u8]) -> Samples {
    let (lo, hi) = dtype.range();
    let vals = alpha.iter().map(|a| match *a {
        0 => lo,
        255 => hi,
        a => match dtype {
            DataType::U16 | DataType::U32 => (a as f64 / 255.0 * hi).round(),
            _ => a as f64,
        },
    });
    match dtype {
        DataType::U8 => Samples::U8(vals.map(|v| v as u8).collect()),
        DataType::I8 => Samples::I8(vals.map(|v| v as i8).collect()),
        DataType::U16 => Samples::U16(vals.map(|v| v as u16).collect()),
        DataType::I16 => Samples::I16(vals.map(|v| v as i16).collect()),
        DataType::U32 => Samples::U32(vals.map(|v| v as u32).collect()),
        DataType::I32 => Samples::I32(vals.map(|v| v as i32).collect()),
        DataType::F32 => Samples::F32(vals.map(|v| v as f32).collect()),
        DataType::F64 => Samples::F64(vals.collect()),
    }
}

/// TiTiler's `.npy` body, the one builder the CLI and the server share: `numpy.save` of the
/// data bands stacked with the mask as one more band, in the data's type (shape
/// `(bands + 1, height, width)`); without `alpha` (`return_mask=false`), the data bands only.
///
/// The mask band is `source_alpha` when that is the dataset's real alpha band in the data's
/// own type (rio-tiler passes GDAL's alpha through unscaled, partial values included), else
/// `alpha` (0..255: the image mask, or an 8-bit alpha) as [`alpha_as_band`] writes it.
pub fn titiler_npy(data: &Raster, alpha: Option<&[u8]>, source_alpha: Option<&Samples>) -> Vec<u8> {
    let mut body = data.data.to_le_bytes();
    let mut bands = data.bands;
    if let Some(a) = alpha {
        let band = match source_alpha {
            Some(s) if s.dtype() == data.dtype() && s.len() == data.plane_len() => s.to_le_bytes(),
            _ => alpha_as_band(data.dtype(), a).to_le_bytes(),
        };
        body.extend_from_slice(&band);
        bands += 1;
    }
    npy_bytes(data.dtype(), &[bands, data.height, data.width], &body)
}

/// Serialises an array as a numpy `.npy` (format 1.0) file: little-endian `dtype` samples in C order.
///
/// `le_bytes` must hold `shape.iter().product()` samples (as from [`Samples::to_le_bytes`]).
pub fn npy_bytes(dtype: DataType, shape: &[usize], le_bytes: &[u8]) -> Vec<u8> {
    let dims: Vec<String> = shape.iter().map(|d| d.to_string()).collect();
    let shape_str = if dims.len() == 1 {
        format!("({},)", dims[0])
    } else {
        format!("({})", dims.join(", "))
    };
    let mut header = format!(
        "{{'descr': '{}', 'fortran_order': False, 'shape': {}, }}",
        dtype.npy_descr(),
        shape_str
    );
    // magic (6) + version (2) + header length (2) + header + '\n' must be a multiple of 64
    let unpadded = 10 + header.len() + 1;
    header.push_str(&" ".repeat((64 - unpadded % 64) % 64));
    header.push('\n');
    let mut out = Vec::with_capacity(10 + header.len() + le_bytes.len());
    out.extend_from_slice(b"\x93NUMPY\x01\x00");
    out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(le_bytes);
    out
}

#[cfg(test)]
mod npy_tests {
    use super::*;

    #[test]
    fn npy_header_is_aligned_and_describes_array() {
        let bytes = npy_bytes(DataType::U16, &[1, 2, 3], &[0u8; 12]);
        let hlen = u16::from_le_bytes([bytes[8], bytes[9]]) as usize;
        assert_eq!((10 + hlen) % 64, 0);
        let header = std::str::from_utf8(&bytes[10..10 + hlen]).unwrap();
        assert!(header.contains("'descr': '<u2'"));
        assert!(header.contains("'shape': (1, 2, 3)"));
        assert_eq!(bytes.len(), 10 + hlen + 12);
    }
}
