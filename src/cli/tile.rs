//! `cogtiler tile URL Z X Y [--tms ID] [--tilesize N] -o out.npy`: one map tile as `.npy`.
//!
//! Writes exactly TiTiler's `.npy` tile body: shape `(bands + 1, height, width)` in the data
//! type, the data bands followed by the mask band (the type's maximum where any band is valid,
//! its minimum elsewhere, or the dataset's real alpha values). Handy to compare a tile with
//! `GET /cog/tiles/{tms}/{z}/{x}/{y}.npy` of a TiTiler server.

use super::CliError;
use cogtiler::reader::{ReadOptions, Reader, TileOptions};
use cogtiler::tms::TmsRegistry;
use cogtiler::warp::Resampling;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Dataset URL or path.
    pub url: String,
    /// Zoom level.
    #[arg(allow_negative_numbers = true)]
    pub z: i32,
    /// Tile column.
    pub x: i64,
    /// Tile row.
    pub y: i64,
    /// TileMatrixSet id (defaults, plus JSON files from TILEMATRIXSET_DIRECTORY).
    #[arg(long, default_value = "WebMercatorQuad")]
    pub tms: String,
    /// Output size in pixels (default: the matrix's tile size).
    #[arg(long)]
    pub tilesize: Option<usize>,
    /// 1-based band to read (repeatable; default every non-alpha band).
    #[arg(long = "bidx")]
    pub bidx: Vec<usize>,
    /// Nodata override (a number, nan, inf or -inf).
    #[arg(long)]
    pub nodata: Option<f64>,
    /// Apply band scale/offset (float32 output).
    #[arg(long)]
    pub unscale: bool,
    /// RasterIO resampling (nearest, bilinear, cubic, ...).
    #[arg(long, default_value = "nearest")]
    pub resampling: Resampling,
    /// Warp kernel when reprojecting (nearest, bilinear, ..., min, max, med, q1, q3, sum, rms).
    #[arg(long, default_value = "nearest")]
    pub reproject: Resampling,
    /// Pixels added on each side (multiple of 0.5).
    #[arg(long)]
    pub buffer: Option<f64>,
    /// Source pixels read around the tile then cropped.
    #[arg(long, default_value_t = 0)]
    pub padding: usize,
    /// Output .npy file.
    #[arg(short = 'o', long = "output")]
    pub output: std::path::PathBuf,
}

pub async fn run(args: Args) -> Result<(), CliError> {
    let registry = TmsRegistry::from_env()?;
    let tms = registry.get(&args.tms)?;
    let reader = Reader::open(&args.url).await?;
    let opts = TileOptions {
        read: ReadOptions {
            indexes: (!args.bidx.is_empty()).then(|| args.bidx.clone()),
            nodata: args.nodata,
            unscale: args.unscale,
            resampling: args.resampling,
            reproject: args.reproject,
            ..ReadOptions::default()
        },
        tilesize: args.tilesize,
        buffer: args.buffer,
        padding: args.padding,
    };
    let img = reader.tile(&tms, args.z, args.x, args.y, &opts).await?;
    std::fs::write(&args.output, img.to_npy())
        .map_err(|e| format!("cannot write {}: {e}", args.output.display()))?;
    let valid = img.raster.mask.iter().filter(|m| **m != 0).count();
    eprintln!(
        "{} {}/{}/{}: {} band(s) x {} x {} {}, {:.1}% valid",
        tms.id,
        args.z,
        args.x,
        args.y,
        img.count(),
        img.height(),
        img.width(),
        img.raster.dtype(),
        100.0 * valid as f64 / img.raster.plane_len().max(1) as f64
    );
    Ok(())
}
