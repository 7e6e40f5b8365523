use super::*;
use crate::tms::default_registry;

fn tms(id: &str) -> Arc<TileMatrixSet> {
    default_registry().get(id).unwrap()
}

#[test]
fn web_mercator_tile_bounds_closed_form() {
    // Slippy-map formulas: lon = x/2^z·360 − 180, lat = atan(sinh(π(1 − 2y/2^z))).
    let t = tms("WebMercatorQuad");
    let (x, y, z) = (8514_i64, 5816_i64, 14);
    let b = t.bounds(Tile::new(x, y, z)).unwrap();
    let n = 2f64.powi(z);
    let lon = |x: f64| x / n * 360.0 - 180.0;
    let lat = |y: f64| {
        (std::f64::consts::PI * (1.0 - 2.0 * y / n))
            .sinh()
            .atan()
            .to_degrees()
    };
    assert!((b.left - lon(x as f64)).abs() < 1e-9, "{b:?}");
    assert!((b.right - lon((x + 1) as f64)).abs() < 1e-9, "{b:?}");
    assert!((b.top - lat(y as f64)).abs() < 1e-9, "{b:?}");
    assert!((b.bottom - lat((y + 1) as f64)).abs() < 1e-9, "{b:?}");
    let xy = t.xy_bounds(Tile::new(0, 0, 0)).unwrap();
    assert_eq!(
        xy.to_array(),
        [
            -20037508.342789244,
            -20037508.342789244,
            20037508.342789244,
            20037508.342789244
        ]
    );
    assert_eq!(format!("{}", Tile::new(1, 2, 3)), "Tile(x=1, y=2, z=3)");
}

#[test]
fn lat_lon_axis_order() {
    let w = tms("WGS1984Quad");
    assert!(w.is_inverted());
    assert_eq!(
        w.xy_bounds(Tile::new(0, 0, 0)).unwrap().to_array(),
        [-180.0, -90.0, 0.0, 90.0]
    );
    assert_eq!(
        w.xy_bounds(Tile::new(1, 0, 0)).unwrap().to_array(),
        [0.0, -90.0, 180.0, 90.0]
    );
    let c = tms("WorldCRS84Quad");
    assert!(!c.is_inverted());
    assert_eq!(
        c.xy_bounds(Tile::new(0, 0, 0)).unwrap().to_array(),
        [-180.0, -90.0, 0.0, 90.0]
    );
    // NZTM2000Quad stores (northing, easting).
    let nz = tms("NZTM2000Quad");
    assert!(nz.is_inverted());
    let m = nz.matrix(0).unwrap();
    let b = nz.xy_bounds(Tile::new(0, 0, 0)).unwrap();
    assert_eq!(
        (b.left, b.top),
        (m.point_of_origin[1], m.point_of_origin[0])
    );
    // A point in Aoraki/Mt Cook lands in the tile whose bounds contain it.
    let (x, y) = nz.xy(170.14, -43.59).unwrap();
    let t = nz.tile(170.14, -43.59, 10).unwrap();
    let b = nz.xy_bounds(t).unwrap();
    assert!(
        b.left <= x && x < b.right && b.bottom < y && y <= b.top,
        "{t} {b:?} ({x}, {y})"
    );
}

#[test]
fn cdb1_negative_zooms_and_coalescing() {
    let t = tms("CDB1GlobalGrid");
    assert_eq!((t.minzoom(), t.maxzoom()), (-10, 21));
    assert!(t.is_variable());
    // Row 0 of zoom -10 coalesces 12 one-degree columns: x = 5 and x = 0 are one tile.
    let a = t.xy_bounds(Tile::new(5, 0, -10)).unwrap();
    let b = t.xy_bounds(Tile::new(0, 0, -10)).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.to_array(), [-180.0, 89.0, -168.0, 90.0]);
    assert_eq!(
        t.xy_bounds(Tile::new(13, 0, -10)).unwrap().to_array(),
        [-168.0, 89.0, -156.0, 90.0]
    );
    // Equatorial rows are not coalesced.
    assert_eq!(
        t.xy_bounds(Tile::new(7, 90, -10)).unwrap().to_array(),
        [-173.0, -1.0, -172.0, 0.0]
    );
    // tile() snaps x to the first column of the group; tile_xy without coalescing does not.
    assert_eq!(t.tile(-175.5, 89.5, -10).unwrap(), Tile::new(0, 0, -10));
    assert_eq!(
        t.tile_xy(-175.5, 89.5, -10, false).unwrap(),
        Tile::new(4, 0, -10)
    );
    // No extrapolation for variable-width TMSs.
    assert!(matches!(
        t.matrix(22),
        Err(Error::InvalidZoom { zoom: 22, .. })
    ));
    assert!(t.matrix(-11).is_err());
}

#[test]
fn hostile_tile_indices_do_not_panic() {
    let t = tms("WebMercatorQuad");
    for tile in [
        Tile::new(i64::MAX, i64::MAX, 3),
        Tile::new(i64::MIN, i64::MIN, 3),
        Tile::new(0, 0, i32::MAX),
        Tile::new(0, 0, i32::MIN),
    ] {
        let _ = t.xy_bounds(tile);
        let _ = t.bounds(tile);
        assert!(!t.is_valid(tile));
    }
    assert_eq!(
        t.zoom_for_res(1.0, Some(i32::MAX), ZoomStrategy::Auto, None)
            .unwrap(),
        17
    );
    assert!(t
        .zoom_for_res(1e-30, Some(i32::MAX), ZoomStrategy::Auto, None)
        .is_err());
    let _ = t.tile_xy(f64::NAN, f64::INFINITY, 5, true).unwrap();
    assert!(t.tiles(f64::NAN, 0.0, 1.0, 1.0, 3).is_err());
}

#[test]
fn extrapolates_beyond_maxzoom() {
    let t = tms("WebMercatorQuad");
    let m24 = t.matrix(24).unwrap().into_owned();
    let m26 = t.matrix(26).unwrap();
    assert_eq!(m26.id, "26");
    assert_eq!(m26.cell_size, m24.cell_size / 4.0);
    assert_eq!(m26.matrix_width, 1 << 26);
    assert!(t.is_valid(Tile::new(0, 0, 24)));
    assert!(!t.is_valid(Tile::new(0, 0, 25)), "strict: beyond maxzoom");
    assert!(!t.is_valid(Tile::new(1, 0, 0)));
    assert!(!t.is_valid(Tile::new(-1, 0, 3)));
    // The bounds of an extrapolated tile nest inside its parent.
    let child = t.xy_bounds(Tile::new(2 * 12345, 2 * 6789, 26)).unwrap();
    let parent = t.xy_bounds(Tile::new(12345, 6789, 25)).unwrap();
    assert_eq!((child.left, child.top), (parent.left, parent.top));
}

#[test]
fn zoom_for_res_picks_matching_levels() {
    let t = tms("WebMercatorQuad");
    for z in 0..=24 {
        let res = t.matrix(z).unwrap().cell_size;
        assert_eq!(
            t.zoom_for_res(res, None, ZoomStrategy::Auto, None).unwrap(),
            z
        );
    }
    for z in 0..24 {
        let res = t.matrix(z).unwrap().cell_size;
        // 0.9 × cell(z) lies between z and z+1, closer (in ratio) to z.
        let near_z = res * 0.9;
        assert_eq!(
            t.zoom_for_res(near_z, None, ZoomStrategy::Auto, None)
                .unwrap(),
            z
        );
        assert_eq!(
            t.zoom_for_res(near_z, None, ZoomStrategy::Lower, None)
                .unwrap(),
            z
        );
        assert_eq!(
            t.zoom_for_res(near_z, None, ZoomStrategy::Upper, None)
                .unwrap(),
            z + 1
        );
        // 0.6 × cell(z) is closer to z+1.
        assert_eq!(
            t.zoom_for_res(res * 0.6, None, ZoomStrategy::Auto, None)
                .unwrap(),
            z + 1
        );
    }
    // Coarser than level 0 stays 0; finer than 24 stays 24 unless max_z allows more.
    assert_eq!(
        t.zoom_for_res(1e9, None, ZoomStrategy::Auto, None).unwrap(),
        0
    );
    assert_eq!(
        t.zoom_for_res(1e-6, None, ZoomStrategy::Auto, None)
            .unwrap(),
        24
    );
    assert_eq!(
        t.zoom_for_res(1e-6, Some(30), ZoomStrategy::Auto, None)
            .unwrap(),
        30
    );
}

#[test]
fn tile_round_trips_in_every_tms() {
    for id in default_registry().ids() {
        let t = tms(id);
        for z in [
            t.minzoom(),
            t.minzoom() + 2,
            t.maxzoom().min(t.minzoom() + 9),
        ] {
            let m = t.matrix(z).unwrap().into_owned();
            let (w, h) = (m.matrix_width as i64, m.matrix_height as i64);
            for (x, y) in [(0, 0), (w - 1, h - 1), (w / 3, h / 2), (w / 2, h / 3)] {
                let cf = i64::from(m.coalesce_factor(y));
                let tile = Tile::new(x - x % cf, y, z);
                let b = t.xy_bounds(tile).unwrap();
                let cx = (b.left + b.right) / 2.0;
                let cy = (b.top + b.bottom) / 2.0;
                assert_eq!(t.tile_xy(cx, cy, z, true).unwrap(), tile, "{id} {tile}");
            }
        }
    }
}
