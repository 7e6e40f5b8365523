//! `cogtiler block URL --level L --col X --row Y -o FILE.npy`: decode one internal tile.
//!
//! Writes the block as a numpy array of shape (bands, rows, cols) in the band's native dtype,
//! clipped to the image extent: the bytes GDAL's `ReadBlock` gives, so a block that looks
//! wrong on a map can be compared with what GDAL decodes.

use super::CliError;
use cogtiler::cog::{Cog, OpenOptions};
use cogtiler::raster::npy_bytes;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Dataset URL or path.
    pub url: String,
    /// Level: 0 = full resolution, 1.. = overviews by decreasing resolution.
    #[arg(long, default_value_t = 0)]
    pub level: usize,
    /// Block column.
    #[arg(long, default_value_t = 0)]
    pub col: u32,
    /// Block row.
    #[arg(long, default_value_t = 0)]
    pub row: u32,
    /// Output .npy file.
    #[arg(short = 'o', long = "output")]
    pub output: std::path::PathBuf,
    /// Also write the block's mask (uint8 0/255, GDAL's dataset mask) to this .npy file.
    #[arg(long)]
    pub mask: Option<std::path::PathBuf>,
}

pub async fn run(args: Args) -> Result<(), CliError> {
    let cog = Cog::open(&args.url, &OpenOptions::default()).await?;
    let r = cog.read_block(args.level, args.col, args.row).await?;
    let bytes = npy_bytes(
        r.dtype(),
        &[r.bands, r.height, r.width],
        &r.data.to_le_bytes(),
    );
    std::fs::write(&args.output, bytes)
        .map_err(|e| format!("cannot write {}: {e}", args.output.display()))?;
    if let Some(m) = &args.mask {
        let mask = cogtiler::cog::gdal_dataset_mask(cog.header(), &r);
        let bytes = npy_bytes(cogtiler::raster::DataType::U8, &[r.height, r.width], &mask);
        std::fs::write(m, bytes).map_err(|e| format!("cannot write {}: {e}", m.display()))?;
    }
    eprintln!(
        "level {} block ({}, {}): {} band(s) x {} x {} {}",
        args.level,
        args.col,
        args.row,
        r.bands,
        r.height,
        r.width,
        r.dtype()
    );
    Ok(())
}
