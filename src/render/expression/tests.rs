use super::*;
use crate::raster::Raster;
use proptest::prelude::*;

fn image(data: Samples, bands: usize, n: usize) -> Image {
    Image::new(Raster {
        width: n,
        height: 1,
        bands,
        data,
        mask: vec![255; n],
    })
    .unwrap()
}

fn f64s(s: &Samples) -> Vec<f64> {
    s.to_f64_vec()
}

#[test]
fn bands_used_is_sorted_unique_and_case_insensitive() {
    assert_eq!(bands_used("(b4-b1)/(B4+b1)").unwrap(), vec![1, 4]);
    assert_eq!(bands_used("b3;b2;b1").unwrap(), vec![1, 2, 3]);
    assert_eq!(bands_used("where(b12 > 0, b12, b2)").unwrap(), vec![2, 12]);
}

#[test]
fn invalid_expressions_are_400s() {
    for bad in [
        "b1+",
        "b1+*",
        "__import__('os')",
        "1+2",
        "sum(b1)",
        "foo(b1)",
        "b1 < b2 < b3",
        "b1 and b2",
        "b1.real",
        "(b1, b2)",
        "b0 + 1",
        "x + b1",
        "sqrt(b1, b2)",
        "where(b1 > 0, b1, axis=0)",
        "b1 ; ",
    ] {
        let e = Expression::parse(bad).unwrap_err();
        assert!(matches!(e, Error::InvalidExpression(_)), "{bad}: {e:?}");
        assert_eq!(e.status(), 400, "{bad}");
    }
    assert_eq!(
        Expression::parse("foo(b1)").unwrap_err().to_string(),
        "disallowed function: 'foo'"
    );
    assert_eq!(
        Expression::parse("__import__('os')")
            .unwrap_err()
            .to_string(),
        "disallowed function: '__import__'"
    );
}

#[test]
fn depth_and_length_are_limited_without_stack_overflow() {
    let deep = format!("{}b1{}", "(".repeat(10_000), ")".repeat(10_000));
    assert!(Expression::parse(&deep).is_err());
    let unary = format!("{}b1", "-".repeat(3000));
    assert!(Expression::parse(&unary).is_err());
    assert!(Expression::parse(&"b1+".repeat(2000)).is_err());
}

#[test]
fn ndvi_over_uint16_is_float64_like_numexpr() {
    // b1 = red, b2 = nir (named b4 via band_names).
    let mut im = image(Samples::U16(vec![100, 0, 300, 200, 0, 100]), 2, 3);
    im.band_names = vec!["b1".into(), "b4".into()];
    im.band_descriptions = vec!["red".into(), "nir".into()];
    let out = Expression::parse("(b4-b1)/(b4+b1)")
        .unwrap()
        .apply(&im)
        .unwrap();
    assert_eq!(out.dtype(), DataType::F64);
    // (200-100)/300 ; 0/0 → nan → 0 ; (100-300)/400
    assert_eq!(f64s(&out.raster.data), vec![100.0 / 300.0, 0.0, -0.5]);
    assert_eq!(
        out.band_descriptions,
        vec!["(nir-red)/(nir+red)".to_string()]
    );
}

#[test]
fn result_kinds_follow_numexpr() {
    let u16im = image(Samples::U16(vec![1, 2]), 1, 2);
    let kind = |e: &str, im: &Image| Expression::parse(e).unwrap().apply(im).unwrap().dtype();
    assert_eq!(kind("b1*2", &u16im), DataType::I32);
    assert_eq!(kind("b1*2.0", &u16im), DataType::F64);
    assert_eq!(kind("sqrt(b1)", &u16im), DataType::F64);
    assert_eq!(kind("b1**2", &u16im), DataType::I32);
    assert_eq!(kind("b1>1", &u16im), DataType::U8);
    let f32im = image(Samples::F32(vec![1.0, 2.0]), 1, 2);
    assert_eq!(kind("b1+b1", &f32im), DataType::F32);
    assert_eq!(kind("sqrt(b1)", &f32im), DataType::F32);
    assert_eq!(kind("b1*1.5", &f32im), DataType::F64);
    assert_eq!(kind("b1;b1*2", &u16im), DataType::I32);
    let u32im = image(Samples::U32(vec![9, 99]), 1, 2);
    let out = Expression::parse("log10(b1+1)")
        .unwrap()
        .apply(&u32im)
        .unwrap();
    assert_eq!(out.dtype(), DataType::F64);
    assert_eq!(f64s(&out.raster.data), vec![1.0, 2.0]);
}

#[test]
fn operators_follow_python_precedence() {
    let im = image(Samples::F64(vec![2.0]), 1, 1);
    let v = |e: &str| {
        f64s(
            &Expression::parse(e)
                .unwrap()
                .apply(&im)
                .unwrap()
                .raster
                .data,
        )[0]
    };
    assert_eq!(v("-b1**2"), -4.0);
    assert_eq!(v("b1**-1"), 0.5);
    assert_eq!(v("2**3**2*b1/b1"), 512.0);
    assert_eq!(v("b1+3*4-1"), 13.0);
    assert_eq!(v("(b1+3)*4"), 20.0);
    assert_eq!(v("-7//b1"), -4.0);
    assert_eq!(v("-7%b1*3"), 3.0);
    assert_eq!(v("where((b1>1) & (b1<3), 10, 20)"), 10.0);
    assert_eq!(v("where(b1 == 2, b1, 0) + (b1 != 2)"), 2.0);
    assert_eq!(v("maximum(b1, 5) + minimum(b1, 5)"), 7.0);
    assert_eq!(v("arctan2(b1, b1) * 4"), std::f64::consts::PI);
}

#[test]
fn nan_and_inf_become_finite_like_nan_to_num() {
    let im = image(Samples::F32(vec![0.0, 1.0, -1.0]), 1, 3);
    // float32 / int constant stays float32 in numexpr; a float literal is double
    let out = Expression::parse("b1/0").unwrap().apply(&im).unwrap();
    assert_eq!(out.dtype(), DataType::F32);
    assert_eq!(
        f64s(&out.raster.data),
        vec![0.0, f32::MAX as f64, f32::MIN as f64]
    );
    let out = Expression::parse("b1/0.0").unwrap().apply(&im).unwrap();
    assert_eq!(out.dtype(), DataType::F64);
    assert_eq!(f64s(&out.raster.data), vec![0.0, f64::MAX, f64::MIN]);
    let out32 = Expression::parse("b1/b1-b1/b1+b1/(b1*0)")
        .unwrap()
        .apply(&im)
        .unwrap();
    assert_eq!(out32.dtype(), DataType::F32);
    assert_eq!(f64s(&out32.raster.data)[1], f32::MAX as f64);
}

#[test]
fn int32_arithmetic_wraps_like_numexpr() {
    let im = image(Samples::I32(vec![i32::MAX]), 1, 1);
    let out = Expression::parse("b1+1").unwrap().apply(&im).unwrap();
    assert_eq!(out.raster.data, Samples::I32(vec![i32::MIN]));
}

#[test]
fn missing_band_is_invalid_expression() {
    let im = image(Samples::U8(vec![1]), 1, 1);
    let e = Expression::parse("b7*2").unwrap().apply(&im).unwrap_err();
    assert_eq!(e.status(), 400);
}

#[test]
fn mask_alpha_and_statistics_flow_through() {
    let mut im = Image::new(Raster {
        width: 2,
        height: 1,
        bands: 2,
        data: Samples::U16(vec![10, 20, 30, 40]),
        mask: vec![255, 0],
    })
    .unwrap();
    im.dataset_statistics = Some(vec![(0.0, 100.0), (10.0, 50.0)]);
    let out = Expression::parse("b1-b2;b1*b2")
        .unwrap()
        .apply(&im)
        .unwrap();
    assert_eq!(out.raster.mask, vec![255, 0]);
    assert_eq!(out.count(), 2);
    assert_eq!(
        out.dataset_statistics,
        Some(vec![(-50.0, 90.0), (0.0, 5000.0)])
    );
}

/// A small random expression over b1, b2 with its own naive scalar meaning.
#[derive(Clone, Debug)]
enum T {
    B(usize),
    C(f64),
    Neg(Box<T>),
    Bin(char, Box<T>, Box<T>),
    Call(&'static str, Box<T>),
    Where(Box<T>, Box<T>, Box<T>),
}

impl T {
    fn has_band(&self) -> bool {
        match self {
            T::B(_) => true,
            T::C(_) => false,
            T::Neg(a) | T::Call(_, a) => a.has_band(),
            T::Bin(_, a, b) => a.has_band() || b.has_band(),
            T::Where(c, a, b) => c.has_band() || a.has_band() || b.has_band(),
        }
    }

    fn text(&self) -> String {
        match self {
            T::B(i) => format!("b{i}"),
            T::C(c) => format!("{c:.3}"),
            T::Neg(a) => format!("-({})", a.text()),
            T::Bin(op, a, b) => format!("({}) {op} ({})", a.text(), b.text()),
            T::Call(f, a) => format!("{f}({})", a.text()),
            T::Where(c, a, b) => format!("where(({}) > 0, {}, {})", c.text(), a.text(), b.text()),
        }
    }

    fn eval(&self, b: &[f64; 3]) -> f64 {
        match self {
            T::B(i) => b[*i],
            T::C(c) => format!("{c:.3}").parse().unwrap(),
            T::Neg(a) => -a.eval(b),
            T::Bin(op, x, y) => {
                let (x, y) = (x.eval(b), y.eval(b));
                match op {
                    '+' => x + y,
                    '-' => x - y,
                    '*' => x * y,
                    _ => x / y,
                }
            }
            T::Call(f, a) => {
                let x = a.eval(b);
                match *f {
                    "sqrt" => x.sqrt(),
                    "abs" => x.abs(),
                    "exp" => x.exp(),
                    _ => x.sin(),
                }
            }
            T::Where(c, x, y) => {
                if c.eval(b) > 0.0 {
                    x.eval(b)
                } else {
                    y.eval(b)
                }
            }
        }
    }
}

fn tree() -> impl Strategy<Value = T> {
    let leaf = prop_oneof![
        (1usize..=2).prop_map(T::B),
        (-100.0f64..100.0).prop_map(T::C),
    ];
    leaf.prop_recursive(5, 40, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(|a| T::Neg(Box::new(a))),
            (
                prop::sample::select(vec!['+', '-', '*', '/']),
                inner.clone(),
                inner.clone()
            )
                .prop_map(|(o, a, b)| T::Bin(o, Box::new(a), Box::new(b))),
            (
                prop::sample::select(vec!["sqrt", "abs", "exp", "sin"]),
                inner.clone()
            )
                .prop_map(|(f, a)| T::Call(f, Box::new(a))),
            (inner.clone(), inner.clone(), inner).prop_map(|(c, a, b)| T::Where(
                Box::new(c),
                Box::new(a),
                Box::new(b)
            )),
        ]
    })
}

proptest! {
    #[test]
    fn vectorised_evaluation_equals_naive_scalar_evaluation(
        t in tree(),
        px in prop::collection::vec((-50.0f64..50.0, -50.0f64..50.0), 1..8),
    ) {
        let text = t.text();
        let n = px.len();
        let mut data = vec![0.0; 2 * n];
        for (i, (a, b)) in px.iter().enumerate() {
            data[i] = *a;
            data[n + i] = *b;
        }
        let im = image(Samples::F64(data), 2, n);
        let expr = match Expression::parse(&text) {
            Ok(e) => e,
            // a tree made only of constants has no band: rio-tiler refuses it too
            Err(_) => { prop_assert!(!t.has_band(), "{text}"); return Ok(()); }
        };
        let out = f64s(&expr.apply(&im).unwrap().raster.data);
        for (i, (a, b)) in px.iter().enumerate() {
            let mut want = t.eval(&[0.0, *a, *b]);
            if want.is_nan() { want = 0.0 }
            if want == f64::INFINITY { want = f64::MAX }
            if want == f64::NEG_INFINITY { want = f64::MIN }
            let got = out[i];
            prop_assert!(got == want || (got - want).abs() <= 1e-9 * want.abs().max(1.0),
                "{text}: pixel {i} got {got} want {want}");
        }
    }
}

proptest! {
    /// Arbitrary token soup never panics: it parses or fails with InvalidExpression, and what
    /// parses evaluates (or fails cleanly) on an int16 image.
    #[test]
    fn token_soup_never_panics(parts in prop::collection::vec(prop::sample::select(vec![
        "b1", "b2", "B3", "b9", "1", "2.5", "1e3", "0", "(", ")", ",", "+", "-", "*", "/", "//",
        "%", "**", "<", "<=", "==", "!=", "&", "|", "^", "~", "<<", ">>", "where", "sqrt", "log",
        "arctan2", "maximum", "isnan", ";", " ", "x", ".", "'", "and", "=", "é",
    ]), 0..40)) {
        let text: String = parts.concat();
        match Expression::parse(&text) {
            Ok(e) => {
                let im = image(Samples::I16(vec![1, -2, 3, 0, 5, 6, 7, 8, 9]), 3, 3);
                let _ = e.apply(&im);
            }
            Err(e) => prop_assert!(matches!(e, Error::InvalidExpression(_))),
        }
    }
}
