use super::*;
use crate::tms::default_registry;
use proptest::prelude::*;

proptest! {
    /// The centre of any tile's bounds maps back to that tile, in every TMS and zoom.
    #[test]
    fn tile_bounds_round_trip(tms_i in 0usize..13, zf in 0.0f64..1.0, xf in 0.0f64..1.0, yf in 0.0f64..1.0) {
        let reg = default_registry();
        let id = reg.ids().nth(tms_i).unwrap();
        let t = reg.get(id).unwrap();
        let z = t.minzoom() + ((t.maxzoom() - t.minzoom()) as f64 * zf) as i32;
        let m = t.matrix(z).unwrap().into_owned();
        let y = ((m.matrix_height - 1) as f64 * yf) as i64;
        let x = ((m.matrix_width - 1) as f64 * xf) as i64;
        let cf = i64::from(m.coalesce_factor(y));
        let tile = Tile::new(x - x % cf, y, z);
        let b = t.xy_bounds(tile).unwrap();
        prop_assert!(b.left < b.right && b.bottom < b.top);
        let got = t.tile_xy((b.left + b.right) / 2.0, (b.top + b.bottom) / 2.0, z, true).unwrap();
        prop_assert_eq!(got, tile, "{}", id);
    }

    /// Web Mercator children tile their parent exactly (a quadtree).
    #[test]
    fn quadtree_children_nest(z in 0i32..24, xf in 0.0f64..1.0, yf in 0.0f64..1.0) {
        let t = default_registry().get("WebMercatorQuad").unwrap();
        let n = 1i64 << z;
        let (x, y) = (((n - 1) as f64 * xf) as i64, ((n - 1) as f64 * yf) as i64);
        let p = t.xy_bounds(Tile::new(x, y, z)).unwrap();
        let ul = t.xy_bounds(Tile::new(2 * x, 2 * y, z + 1)).unwrap();
        let lr = t.xy_bounds(Tile::new(2 * x + 1, 2 * y + 1, z + 1)).unwrap();
        let eps = 1e-6;
        prop_assert!((ul.left - p.left).abs() < eps && (ul.top - p.top).abs() < eps);
        prop_assert!((lr.right - p.right).abs() < eps && (lr.bottom - p.bottom).abs() < eps);
    }
}
