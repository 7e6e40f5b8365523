//! Number formatting as C's `%.15g`, which GDAL/PROJ use when writing WKT.
//!
//! Rust's `{}` prints the shortest round-trip form (`0.017453292519943295`); GDAL prints
//! 15 significant digits (`0.0174532925199433`). TiTiler shows GDAL's text, so we must too.

/// Formats `v` like `printf("%.15g", v)`.
pub(crate) fn g15(v: f64) -> String {
    g(v, 15)
}

/// Formats `v` like `printf("%.{precision}g", v)`.
pub(crate) fn g(v: f64, precision: usize) -> String {
    if !v.is_finite() {
        return if v.is_nan() {
            "nan".into()
        } else if v > 0.0 {
            "inf".into()
        } else {
            "-inf".into()
        };
    }
    if v == 0.0 {
        return if v.is_sign_negative() { "-0" } else { "0" }.into();
    }
    let p = precision.max(1);
    // Scientific form tells the decimal exponent after rounding to `p` significant digits.
    let sci = format!("{:.*e}", p - 1, v);
    let (mantissa, exp) = match sci.split_once('e') {
        Some((m, e)) => (m.to_string(), e.parse::<i32>().unwrap_or(0)),
        None => (sci.clone(), 0),
    };
    if exp < -4 || exp >= p as i32 {
        let m = strip_zeros(&mantissa);
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{m}e{sign}{:02}", exp.abs())
    } else {
        let decimals = (p as i32 - 1 - exp).max(0) as usize;
        strip_zeros(&format!("{v:.decimals$}"))
    }
}

fn strip_zeros(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::g15;

    #[test]
    fn matches_printf_g15() {
        assert_eq!(g15(std::f64::consts::PI / 180.0), "0.0174532925199433");
        assert_eq!(g15(6378137.0), "6378137");
        assert_eq!(g15(298.257223563), "298.257223563");
        assert_eq!(g15(3395582.0270805), "3395582.0270805");
        assert_eq!(g15(0.9996), "0.9996");
        assert_eq!(g15(-10.0), "-10");
        assert_eq!(g15(0.0), "0");
        assert_eq!(g15(1e20), "1e+20");
        assert_eq!(g15(0.00001), "1e-05");
        assert_eq!(g15(0.0001), "0.0001");
        assert_eq!(g15(0.304800609601219), "0.304800609601219");
    }
}
