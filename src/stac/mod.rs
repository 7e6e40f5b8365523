//! STAC items: a satellite scene (or any product) whose bands are separate files.
//!
//! A STAC Item is a GeoJSON Feature with named *assets* (`"B04": {"href": "B04.tif", ...}`).
//! rio-tiler's `STACReader` reads several of them as one raster: each asset is opened as a COG,
//! read with the same verb, and the results are stacked band by band. This module is the item
//! half of that: parsing the document ([`Item`]), which assets are rasters ([`Item::raster_assets`]),
//! where an asset lives ([`Item::asset_url`]), what the projection extension says about the
//! item's grid ([`Item::projection`]), and how an asset request (`name|bidx=1,2`) selects
//! bands ([`AssetRequest`]). Reading the assets is the server's job, through the same readers
//! and caches as `/cog`.

mod item;
mod request;

pub use item::{Asset, Item, Projection, Render, DEFAULT_VALID_TYPES};
pub use request::{AssetRequest, BandSelection};

/// What can be wrong with an item or an asset request; messages are TiTiler's where it has one.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The document is not a STAC Item (not JSON, or not the Feature shape).
    #[error("{0}")]
    NotAnItem(String),
    /// No asset has a raster media type.
    #[error("No valid asset found. Asset's media types not supported")]
    NoRasterAssets,
    /// An asset name that is not among the item's raster assets.
    #[error("'{name}' is not valid, should be one of {valid}")]
    InvalidAssetName { name: String, valid: String },
    /// `bands=` on an asset without band metadata, or naming a band it does not have.
    #[error("{0}")]
    Bands(String),
    /// An asset option that cannot be parsed (`bidx=x`).
    #[error("invalid asset option {0:?}")]
    BadOption(String),
    /// An asset href that cannot be resolved against the item's URL.
    #[error("cannot resolve asset href {href:?} against {base:?}")]
    Href { href: String, base: String },
}
