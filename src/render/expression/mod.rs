//! Band math: rio-tiler's `expression=` (numexpr syntax) parsed and evaluated natively.
//!
//! An expression is one or more blocks separated by `;`, each producing one output band:
//! `(b4-b1)/(b4+b1)` is an NDVI, `b3;b2;b1` reorders bands. Blocks are lower-cased first (so
//! `B1` is `b1`, as in rio-tiler); `bN` names the dataset's band N. The language is numexpr's:
//! `+ - * / // % **`, comparisons, `& | ^ ~` on integers and booleans, and the element-wise
//! numexpr functions (`where(c, a, b)`, `sqrt`, `log10`, `arctan2`, `maximum`...). Anything else
//! — attribute access, strings, Python's `and`/`or`, unknown functions — is refused with
//! [`Error::InvalidExpression`] (HTTP 400), never evaluated.
//!
//! Pipeline: [`lexer`] → [`parser`] (precedence climbing into an untyped tree) → [`typing`]
//! (bind names to bands, numexpr's result kinds, constant folding) → [`eval`] (whole planes at
//! a time). The output dtype follows numexpr and numpy: an NDVI of uint16 bands is float64,
//! `b1*2` over uint16 is int32. Two representable-type deviations: a boolean result becomes
//! uint8 0/1, an int64 result float64 (the raster types have no bool/int64).
//!
//! Masks: a pixel is masked in the output when it was masked in the input (rio-tiler ORs the
//! band masks; our rasters carry one mask for all bands).

pub mod ast;
pub mod eval;
pub mod lexer;
pub mod parser;
pub mod typing;

use crate::raster::{DataType, Raster, Samples};

use self::ast::Kind;
use self::parser::{parse_block, Raw};
use super::error::{Error, Result};
use super::image::Image;

/// Longest expression accepted, in bytes.
pub const MAX_EXPRESSION_LEN: usize = 4096;
/// Most output bands (`;`-separated blocks) accepted.
pub const MAX_BLOCKS: usize = 64;
/// Band statistics are pushed through an expression only for this many input bands or fewer
/// (2^n corner combinations are evaluated).
const MAX_STATS_BANDS: usize = 12;

/// A validated band-math expression.
#[derive(Clone, Debug, PartialEq)]
pub struct Expression {
    /// The lower-cased blocks, as rio-tiler's `get_expression_blocks` returns them.
    blocks: Vec<String>,
    trees: Vec<Raw>,
}

/// The 1-based band index a name refers to (`b12` → 12).
fn band_index(name: &str) -> Option<usize> {
    let digits = name.strip_prefix('b')?;
    if digits.is_empty() || !digits.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

fn names(raw: &Raw, out: &mut Vec<String>) {
    match raw {
        Raw::Num { .. } => {}
        Raw::Name(n) => out.push(n.clone()),
        Raw::Unary(_, a) => names(a, out),
        Raw::Binary(_, a, b) => {
            names(a, out);
            names(b, out);
        }
        Raw::Call(_, args) => args.iter().for_each(|a| names(a, out)),
    }
}

impl Expression {
    /// Parses and validates an expression (rio-tiler's `validate_expression` +
    /// `parse_expression`): every block must parse, every name must be a band `bN` (N ≥ 1), and
    /// at least one band must be referenced.
    pub fn parse(expression: &str) -> Result<Expression> {
        if expression.len() > MAX_EXPRESSION_LEN {
            return Err(Error::InvalidExpression(format!(
                "expression longer than {MAX_EXPRESSION_LEN} bytes"
            )));
        }
        let blocks: Vec<String> = expression
            .split(';')
            .filter(|b| !b.is_empty())
            .map(str::to_lowercase)
            .collect();
        if blocks.len() > MAX_BLOCKS {
            return Err(Error::InvalidExpression(format!(
                "more than {MAX_BLOCKS} output bands"
            )));
        }
        let mut trees = Vec::with_capacity(blocks.len());
        let mut all = Vec::new();
        for b in &blocks {
            let t = parse_block(b)?;
            names(&t, &mut all);
            trees.push(t);
        }
        for n in &all {
            match band_index(n) {
                Some(0) => {
                    return Err(Error::InvalidExpression(format!(
                        "band index 0 in {n:?}: bands are numbered from 1"
                    )))
                }
                Some(_) => {}
                None => {
                    return Err(Error::InvalidExpression(format!(
                        "Invalid band/asset name '{n}': bands are written b1, b2, ..."
                    )))
                }
            }
        }
        if all.is_empty() {
            return Err(Error::InvalidExpression(format!(
                "Could not find any valid bands in '{expression}' expression."
            )));
        }
        Ok(Expression { blocks, trees })
    }

    /// The 1-based band indexes the expression reads, sorted and unique (read only these).
    pub fn bands_used(&self) -> Vec<usize> {
        let mut all = Vec::new();
        self.trees.iter().for_each(|t| names(t, &mut all));
        let mut idx: Vec<usize> = all.iter().filter_map(|n| band_index(n)).collect();
        idx.sort_unstable();
        idx.dedup();
        idx
    }

    /// The lower-cased blocks (one per output band).
    pub fn blocks(&self) -> &[String] {
        &self.blocks
    }

    /// Evaluates the expression on an image whose `band_names` name its bands (`b4`, `b1`...).
    ///
    /// Returns the new image: one band per block, numexpr's dtype, the input mask and alpha,
    /// band descriptions with band names replaced by the input's descriptions, and dataset
    /// statistics pushed through the expression when the input has them.
    pub fn apply(&self, image: &Image) -> Result<Image> {
        let r = &image.raster;
        super::image::check_raster(r)?;
        let plane = r.plane_len();
        if image.band_names.len() != r.bands {
            return Err(Error::Size(format!(
                "{} band names for {} bands",
                image.band_names.len(),
                r.bands
            )));
        }
        let names: Vec<String> = image.band_names.iter().map(|n| n.to_lowercase()).collect();
        let nodes = self
            .trees
            .iter()
            .map(|t| typing::bind(t, &names, r.dtype()))
            .collect::<Result<Vec<_>>>()?;
        let used = {
            let mut all = Vec::new();
            self.trees.iter().for_each(|t| self::names(t, &mut all));
            all
        };
        let planes: Vec<Vec<f64>> = (0..r.bands)
            .map(|b| {
                if names.get(b).is_some_and(|n| used.contains(n)) {
                    super::image::band_f64(r, b)
                } else {
                    Vec::new()
                }
            })
            .collect();
        let kinds: Vec<Kind> = nodes.iter().map(|n| n.kind()).collect();
        let values: Vec<Vec<f64>> = nodes
            .iter()
            .map(|n| eval::evaluate(n, &planes, plane))
            .collect();
        let dtype = output_dtype(&kinds);
        let data = to_samples(dtype, values.into_iter().flatten());
        let mut out = Image::new(Raster {
            width: r.width,
            height: r.height,
            bands: self.blocks.len(),
            data,
            mask: r.mask.clone(),
        })?;
        out.alpha = image.alpha.clone();
        out.georef = image.georef.clone();
        out.band_descriptions = self
            .blocks
            .iter()
            .map(|b| describe_block(b, &names, &image.band_descriptions))
            .collect();
        out.dataset_statistics = match &image.dataset_statistics {
            Some(stats) if stats.len() == r.bands && r.bands <= MAX_STATS_BANDS => {
                Some(self.statistics(stats, &names)?)
            }
            _ => None,
        };
        Ok(out)
    }

    /// Pushes per-band `(min, max)` through the expression: evaluated on every corner of the
    /// box (float64, like rio-tiler's `numpy.array(itertools.product(...))`), min/max per block.
    fn statistics(&self, stats: &[(f64, f64)], names: &[String]) -> Result<Vec<(f64, f64)>> {
        let n = 1usize << stats.len();
        let planes: Vec<Vec<f64>> = stats
            .iter()
            .enumerate()
            .map(|(b, (lo, hi))| {
                let bit = stats.len() - 1 - b;
                (0..n)
                    .map(|c| if c >> bit & 1 == 0 { *lo } else { *hi })
                    .collect()
            })
            .collect();
        self.trees
            .iter()
            .map(|t| {
                let node = typing::bind(t, names, DataType::F64)?;
                let v = eval::evaluate(&node, &planes, n);
                let lo = v.iter().copied().fold(f64::INFINITY, f64::min);
                let hi = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                Ok((lo, hi))
            })
            .collect()
    }
}

/// numpy's dtype for a stack of numexpr results of these kinds.
fn output_dtype(kinds: &[Kind]) -> DataType {
    let max = kinds.iter().copied().max().unwrap_or(Kind::Double);
    let has_int = kinds.iter().any(|k| matches!(k, Kind::Int | Kind::Long));
    match max {
        Kind::Double => DataType::F64,
        // numpy: int32 + float32 → float64
        Kind::Float if has_int => DataType::F64,
        Kind::Float => DataType::F32,
        Kind::Long => DataType::F64,
        Kind::Int => DataType::I32,
        Kind::Bool => DataType::U8,
    }
}

fn to_samples(dtype: DataType, v: impl Iterator<Item = f64>) -> Samples {
    match dtype {
        DataType::F64 => Samples::F64(v.collect()),
        DataType::F32 => Samples::F32(v.map(|x| x as f32).collect()),
        DataType::I32 => Samples::I32(v.map(|x| x as i32).collect()),
        _ => Samples::U8(v.map(|x| x as u8).collect()),
    }
}

/// rio-tiler's description of a block: band names replaced by the bands' descriptions.
fn describe_block(block: &str, names: &[String], descriptions: &[String]) -> String {
    let mut out = String::with_capacity(block.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        if !word.is_empty() {
            match names.iter().position(|n| n == word) {
                Some(i) if band_index(word).is_some() => {
                    out.push_str(descriptions.get(i).map(String::as_str).unwrap_or(word))
                }
                _ => out.push_str(word),
            }
            word.clear();
        }
    };
    for c in block.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    out
}

/// The bands an expression reads (1-based, sorted, unique), validating it on the way.
pub fn bands_used(expression: &str) -> Result<Vec<usize>> {
    Ok(Expression::parse(expression)?.bands_used())
}

#[cfg(test)]
mod tests;
