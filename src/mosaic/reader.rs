//! rio-tiler's `mosaic_reader` loop over an async per-asset read.

use std::future::Future;

use super::{Error, Mosaicker, PixelSelection};
use crate::reader::ImageData;

/// A merged image and how it was made.
#[derive(Debug)]
pub struct MosaicRead {
    pub image: ImageData,
    /// The assets whose images were fed, in order (rio-tiler's `assets`).
    pub assets_used: Vec<String>,
    /// How many assets were candidates (`mosaic_assets_count`).
    pub assets_count: usize,
    pub method: PixelSelection,
}

/// Reads `assets` in chunks of `concurrency` (all of a chunk at once; TiTiler's
/// `MOSAIC_CONCURRENCY` defaults to 5 × CPUs), feeds the images in
/// asset order and stops after the image that completes a `first` mosaic, as rio-tiler does.
/// Read errors for which `skip` is true (rio-tiler's `allowed_exceptions`, i.e. the asset does
/// not cover the tile) drop that asset; any other error is returned. No image at all is
/// [`Error::EmptyMosaic`] (TiTiler answers 204).
pub async fn mosaic_reader<F, Fut, E>(
    assets: &[String],
    method: PixelSelection,
    concurrency: usize,
    read: F,
    skip: impl Fn(&E) -> bool,
) -> Result<MosaicRead, E>
where
    F: Fn(&str) -> Fut,
    Fut: Future<Output = Result<ImageData, E>>,
    E: From<Error>,
{
    let mut m = Mosaicker::new(method);
    let mut used = Vec::new();
    for chunk in assets.chunks(concurrency.max(1)) {
        let results = futures::future::join_all(chunk.iter().map(|a| read(a))).await;
        for (asset, res) in chunk.iter().zip(results) {
            let img = match res {
                Ok(img) => img,
                Err(e) if skip(&e) => continue,
                Err(e) => return Err(e),
            };
            let done = m.feed(img)?;
            used.push(asset.clone());
            if done {
                return finish(m, used, assets.len());
            }
        }
    }
    finish(m, used, assets.len())
}

fn finish<E: From<Error>>(
    m: Mosaicker,
    assets_used: Vec<String>,
    assets_count: usize,
) -> Result<MosaicRead, E> {
    let method = m.method();
    let image = m.finish().ok_or(Error::EmptyMosaic)?;
    Ok(MosaicRead {
        image,
        assets_used,
        assets_count,
        method,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crs::Crs;
    use crate::raster::{Raster, Samples};
    use std::cell::RefCell;

    #[derive(Debug, PartialEq)]
    enum ReadError {
        Outside,
        Broken(String),
        Mosaic(String),
    }

    impl From<Error> for ReadError {
        fn from(e: Error) -> Self {
            ReadError::Mosaic(e.to_string())
        }
    }

    fn img(v: u8, valid: [u8; 2]) -> ImageData {
        ImageData {
            raster: Raster {
                width: 2,
                height: 1,
                bands: 1,
                data: Samples::U8(vec![v; 2]),
                mask: valid.to_vec(),
            },
            band_masks: vec![valid.to_vec()],
            alpha: None,
            bounds: [0.0; 4],
            crs: Crs::wgs84(),
            band_names: vec!["b1".into()],
            band_descriptions: vec!["b1".into()],
            dataset_statistics: None,
            scales: vec![1.0],
            offsets: vec![0.0],
            nodata: None,
        }
    }

    fn run(
        assets: &[&str],
        method: PixelSelection,
        concurrency: usize,
    ) -> (Result<MosaicRead, ReadError>, Vec<String>) {
        let calls = RefCell::new(Vec::new());
        let assets: Vec<String> = assets.iter().map(|s| s.to_string()).collect();
        let res = futures::executor::block_on(mosaic_reader(
            &assets,
            method,
            concurrency,
            |a: &str| {
                calls.borrow_mut().push(a.to_string());
                let r = match a {
                    "left" => Ok(img(1, [255, 0])),
                    "right" => Ok(img(2, [0, 255])),
                    "full" => Ok(img(3, [255, 255])),
                    "out" => Err(ReadError::Outside),
                    other => Err(ReadError::Broken(other.to_string())),
                };
                async move { r }
            },
            |e| *e == ReadError::Outside,
        ));
        (res, calls.into_inner())
    }

    #[test]
    fn first_stops_after_the_image_that_fills_the_tile() {
        let (res, calls) = run(&["out", "left", "right", "full"], PixelSelection::First, 1);
        let r = res.unwrap();
        assert_eq!(r.assets_used, ["left", "right"]);
        assert_eq!(r.assets_count, 4);
        assert_eq!(r.image.raster.data, Samples::U8(vec![1, 2]));
        // one asset at a time: "full" was never requested
        assert_eq!(calls, ["out", "left", "right"]);
        // a whole chunk is requested at once, as rio-tiler's thread pool does
        let (_, calls) = run(&["out", "left", "right", "full"], PixelSelection::First, 8);
        assert_eq!(calls.len(), 4);
    }

    #[test]
    fn other_methods_read_everything_and_errors_surface() {
        let (res, _) = run(&["left", "out", "full"], PixelSelection::Highest, 2);
        let r = res.unwrap();
        assert_eq!(r.assets_used, ["left", "full"]);
        assert_eq!(r.image.raster.data, Samples::U8(vec![3, 3]));

        let (res, _) = run(&["out", "out"], PixelSelection::Mean, 4);
        assert_eq!(
            res.unwrap_err(),
            ReadError::Mosaic("Method returned an empty array".into())
        );
        let (res, _) = run(&["left", "boom", "full"], PixelSelection::Mean, 4);
        assert_eq!(res.unwrap_err(), ReadError::Broken("boom".into()));
    }
}
