//! TiTiler's 18 post-processing algorithms (`algorithm=` + `algorithm_params=`), and the
//! `/algorithms` documents that describe them.
//!
//! An algorithm runs after band selection / expression and before rendering. Hillshade and
//! slope differentiate the surface, which is unreliable at the image edge, so they crop
//! [`Algorithm::buffer`] pixels (default 3) from every side. TiTiler 2.4 does **not** enlarge the
//! read to compensate: a 256 px hillshade tile comes back 250 px wide (recorded in the
//! conformance cases), unless the client also passes `buffer=3`, which makes the reader read
//! 262 px. We reproduce that: the reader reads tilesize + 2 × (the request's `buffer`), and the
//! algorithm crops its own buffer.
//!
//! Parameters follow the pydantic models of `titiler.core.algorithm`: numbers (or numeric
//! strings), checked against their bounds; a bad value is a 400, non-JSON `algorithm_params` a
//! 422, an unknown algorithm id a 422.

mod bands;
mod dem;
pub mod params;

use serde_json::{json, Value};

use self::bands::{Reduce, ToUint8};
use self::params::{ParamKind, ParamSpec, Params};
use super::error::{Error, Result};
use super::image::Image;

/// The algorithm ids, in TiTiler's order.
pub const IDS: [&str; 18] = [
    "hillshade",
    "slope",
    "contours",
    "normalizedIndex",
    "terrarium",
    "terrainrgb",
    "cast",
    "ceil",
    "floor",
    "min",
    "max",
    "median",
    "mean",
    "std",
    "var",
    "sum",
    "grayscale",
    "bitonal",
];

/// Static description of one algorithm (the pydantic class attributes).
struct Spec {
    title: &'static str,
    description: &'static str,
    input_nbands: Option<u32>,
    output_nbands: Option<u32>,
    output_dtype: Option<&'static str>,
    output_min: Option<Value>,
    output_max: Option<Value>,
    params: &'static [ParamSpec],
}

const fn int(name: &'static str, title: &'static str, d: i64, min: f64, max: f64) -> ParamSpec {
    ParamSpec {
        name,
        title,
        description: None,
        kind: ParamKind::Int(d),
        min,
        max,
    }
}

const fn float(name: &'static str, title: &'static str, d: f64, min: f64, max: f64) -> ParamSpec {
    ParamSpec {
        name,
        title,
        description: None,
        kind: ParamKind::Float(d),
        min,
        max,
    }
}

const NODATA_HEIGHT: ParamSpec = ParamSpec {
    name: "nodata_height",
    title: "Nodata Height",
    description: None,
    kind: ParamKind::OptFloat,
    min: -99999.0,
    max: 99999.0,
};

const HILLSHADE: [ParamSpec; 4] = [
    int("azimuth", "Azimuth", 45, 0.0, 360.0),
    float("angle_altitude", "Angle Altitude", 45.0, -90.0, 90.0),
    int("buffer", "Buffer", 3, 0.0, 99.0),
    float("z_exaggeration", "Z Exaggeration", 1.0, 1e-6, 1e6),
];
const SLOPE: [ParamSpec; 2] = [
    ParamSpec {
        description: Some("Buffer size for edge effects"),
        ..int("buffer", "Buffer", 3, 0.0, 99.0)
    },
    float("z_exaggeration", "Z Exaggeration", 1.0, 1e-6, 1e6),
];
const CONTOURS: [ParamSpec; 4] = [
    int("increment", "Increment", 35, 0.0, 999.0),
    int("thickness", "Thickness", 1, 0.0, 10.0),
    int("minz", "Minz", -12000, -99999.0, 99999.0),
    int("maxz", "Maxz", 8000, -99999.0, 99999.0),
];
const TERRARIUM: [ParamSpec; 1] = [NODATA_HEIGHT];
const TERRAINRGB: [ParamSpec; 3] = [
    float("interval", "Interval", 0.1, 0.0, 1.0),
    float("baseval", "Baseval", -10000.0, -99999.0, 99999.0),
    NODATA_HEIGHT,
];

fn spec(id: &str) -> Option<Spec> {
    let s = |title, description, input_nbands, output_nbands, output_dtype, params| Spec {
        title,
        description,
        input_nbands,
        output_nbands,
        output_dtype,
        output_min: None,
        output_max: None,
        params,
    };
    let uint8_range = |mut sp: Spec| {
        sp.output_min = Some(json!([0]));
        sp.output_max = Some(json!([255]));
        sp
    };
    Some(match id {
        "hillshade" => s(
            "Hillshade",
            "Create hillshade from DEM dataset.",
            Some(1),
            Some(1),
            Some("uint8"),
            &HILLSHADE,
        ),
        "slope" => Spec {
            output_min: Some(json!([0.0])),
            output_max: Some(json!([90.0])),
            ..s(
                "Slope",
                "Calculate degrees of slope from DEM dataset.",
                Some(1),
                Some(1),
                Some("float32"),
                &SLOPE,
            )
        },
        "contours" => s(
            "Contours",
            "Create contours from DEM dataset.",
            Some(1),
            Some(3),
            Some("uint8"),
            &CONTOURS,
        ),
        "normalizedIndex" => Spec {
            output_min: Some(json!([-1.0])),
            output_max: Some(json!([1.0])),
            ..s(
                "Normalized Difference Index",
                "Compute normalized difference index from two bands.",
                Some(2),
                Some(1),
                Some("float32"),
                &[],
            )
        },
        "terrarium" => s(
            "Terrarium",
            "Encode DEM into RGB (Mapzen Terrarium).",
            Some(1),
            Some(3),
            Some("uint8"),
            &TERRARIUM,
        ),
        "terrainrgb" => s(
            "TerrainRGB",
            "Encode DEM into RGB (Mapbox Terrain RGB).",
            Some(1),
            Some(3),
            Some("uint8"),
            &TERRAINRGB,
        ),
        "cast" => uint8_range(s(
            "Cast data to Integer",
            "Cast data to Integer.",
            None,
            None,
            Some("uint8"),
            &[],
        )),
        "ceil" => uint8_range(s(
            "Round data to the smallest integer",
            "Round data to the smallest integer.",
            None,
            None,
            Some("uint8"),
            &[],
        )),
        "floor" => uint8_range(s(
            "Round data to the largest integer",
            "Round data to the largest integer.",
            None,
            None,
            Some("uint8"),
            &[],
        )),
        "min" => s(
            "Min",
            "Return Min values along the `bands` axis.",
            None,
            Some(1),
            None,
            &[],
        ),
        "max" => s(
            "Max",
            "Return Max values along the `bands` axis.",
            None,
            Some(1),
            None,
            &[],
        ),
        "median" => s(
            "Median",
            "Return Median values along the `bands` axis.",
            None,
            Some(1),
            Some("float64"),
            &[],
        ),
        "mean" => s(
            "Mean",
            "Return Mean values.",
            None,
            Some(1),
            Some("float64"),
            &[],
        ),
        "std" => s(
            "Standard deviation",
            "Return the Standard Deviation along the `bands` axis.",
            None,
            Some(1),
            Some("float64"),
            &[],
        ),
        "var" => s(
            "Variance",
            "Return Variance along the `bands` axis.",
            None,
            Some(1),
            Some("float64"),
            &[],
        ),
        "sum" => s(
            "Sum",
            "Return Sum values along the `bands` axis.",
            None,
            Some(1),
            None,
            &[],
        ),
        "grayscale" => s(
            "Transform a RGB Image to Grayscale",
            "Transform a RGB Image to Grayscale using the ITU-R 601-2 luma.",
            None,
            Some(1),
            None,
            &[],
        ),
        "bitonal" => s(
            "Transform an Image to Bitonal",
            "All values larger than 127 are set to 255 (white), all other values to 0 (black).",
            None,
            Some(1),
            Some("uint8"),
            &[],
        ),
        _ => return None,
    })
}

/// The `/algorithms/{id}` document (`AlgorithmMetadata`), or `None` for an unknown id.
pub fn metadata(id: &str) -> Option<Value> {
    let s = spec(id)?;
    let params: serde_json::Map<String, Value> = s
        .params
        .iter()
        .map(|p| (p.name.to_string(), p.schema()))
        .collect();
    Some(json!({
        "title": s.title,
        "description": s.description,
        "inputs": {"nbands": s.input_nbands},
        "outputs": {
            "nbands": s.output_nbands,
            "dtype": s.output_dtype,
            "min": s.output_min,
            "max": s.output_max,
        },
        "parameters": params,
    }))
}

/// The `/algorithms` document; `base_url` is the server origin (+ root path), no trailing `/`.
pub fn list(base_url: &str) -> Value {
    let items: Vec<Value> = IDS
        .iter()
        .map(|id| {
            json!({
                "id": id,
                "title": null,
                "links": [{
                    "href": format!("{base_url}/algorithms/{id}"),
                    "rel": "item",
                    "type": "application/json",
                    "templated": null,
                    "varBase": null,
                    "hreflang": null,
                    "title": format!("Definition of {id} Algorithm"),
                    "length": null,
                }],
            })
        })
        .collect();
    json!({ "algorithms": items })
}

/// A chosen algorithm with validated parameters.
#[derive(Clone, Debug, PartialEq)]
pub struct Algorithm {
    id: &'static str,
    params: Params,
}

impl Algorithm {
    /// Validates `algorithm` + `algorithm_params` like TiTiler's `post_process` dependency.
    pub fn new(id: &str, params_json: Option<&str>) -> Result<Algorithm> {
        let id = IDS
            .iter()
            .copied()
            .find(|i| *i == id)
            .ok_or_else(|| Error::UnknownAlgorithm(id.to_string()))?;
        let spec = spec(id).ok_or_else(|| Error::UnknownAlgorithm(id.to_string()))?;
        Ok(Algorithm {
            id,
            params: params::parse(spec.params, params_json)?,
        })
    }

    pub fn id(&self) -> &'static str {
        self.id
    }

    /// Pixels [`Self::apply`] crops from every side (hillshade/slope `buffer` param, else 0).
    pub fn buffer(&self) -> usize {
        match self.id {
            "hillshade" | "slope" => self.params.get("buffer").unwrap_or(0.0) as usize,
            _ => 0,
        }
    }

    fn p(&self, name: &str) -> f64 {
        self.params.get(name).unwrap_or(0.0)
    }

    /// Runs the algorithm (cropping [`Self::buffer`] pixels per side where it has one).
    pub fn apply(&self, image: &Image) -> Result<Image> {
        super::image::check_raster(&image.raster)?;
        match self.id {
            "hillshade" => dem::hillshade(
                image,
                self.p("azimuth"),
                self.p("angle_altitude"),
                self.buffer(),
                self.p("z_exaggeration"),
            ),
            "slope" => dem::slope(image, self.buffer(), self.p("z_exaggeration")),
            "contours" => dem::contours(
                image,
                self.p("increment"),
                self.p("thickness"),
                self.p("minz"),
                self.p("maxz"),
            ),
            "terrarium" => dem::terrarium(image, self.params.get("nodata_height")),
            "terrainrgb" => dem::terrainrgb(
                image,
                self.p("interval"),
                self.p("baseval"),
                self.params.get("nodata_height"),
            ),
            "normalizedIndex" => bands::normalized_index(image),
            "cast" => bands::to_uint8(image, ToUint8::Cast),
            "ceil" => bands::to_uint8(image, ToUint8::Ceil),
            "floor" => bands::to_uint8(image, ToUint8::Floor),
            "min" => bands::reduce(image, Reduce::Min),
            "max" => bands::reduce(image, Reduce::Max),
            "median" => bands::reduce(image, Reduce::Median),
            "mean" => bands::reduce(image, Reduce::Mean),
            "std" => bands::reduce(image, Reduce::Std),
            "var" => bands::reduce(image, Reduce::Var),
            "sum" => bands::reduce(image, Reduce::Sum),
            "grayscale" => bands::grayscale(image),
            "bitonal" => bands::bitonal(image),
            other => Err(Error::UnknownAlgorithm(other.to_string())),
        }
    }
}

#[cfg(test)]
mod tests;
