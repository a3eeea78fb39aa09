//! [`exp`] and [`pow`] against the host's glibc (std's `f64::exp` and `f64::powf` call it),
//! bit for bit, on special values and millions of pseudo-random inputs.
//!
//! glibc picks its FMA build on CPUs with FMA, the build these functions follow; on a host
//! without FMA the comparison would be with glibc's other build, so the tests check only
//! where the CPU has it (every x86-64 since 2013 does).

use super::{cosh, exp, expm1, pow, sinh, tanh};
use std::hint::black_box;

/// Whether glibc runs its FMA build here.
fn glibc_uses_fma() -> bool {
    #[cfg(target_arch = "x86_64")]
    {
        std::is_x86_feature_detected!("fma") && std::is_x86_feature_detected!("avx2")
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        false
    }
}

/// The number of random arguments for a range: `base` in the debug build (which a plain
/// `cargo test` makes: about 10 s for all of these tests here), twice as many in release
/// (about 6 s).
fn n(base: u64) -> u64 {
    if cfg!(debug_assertions) {
        base
    } else {
        2 * base
    }
}

/// xorshift64*: deterministic, so a failure reproduces.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [a, b).
    fn range(&mut self, a: f64, b: f64) -> f64 {
        a + (b - a) * self.unit()
    }
}

/// Equal results: the same bits, or both NaN.
fn same(a: f64, b: f64) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

/// A function of one float: ours, glibc's (through std) and the libm crate's.
type Unary = (&'static str, fn(f64) -> f64, fn(f64) -> f64, fn(f64) -> f64);

const EXP: Unary = ("exp", exp, f64::exp, libm::exp);
const EXPM1: Unary = ("expm1", expm1, f64::exp_m1, libm::expm1);
const COSH: Unary = ("cosh", cosh, f64::cosh, libm::cosh);
const SINH: Unary = ("sinh", sinh, f64::sinh, libm::sinh);
const TANH: Unary = ("tanh", tanh, f64::tanh, libm::tanh);

/// Mismatches of `f` against glibc on `xs` (the first few printed), and of the libm crate's
/// (to show what the comparison catches): (inputs, ours, libm's).
fn mismatches(f: Unary, xs: impl Iterator<Item = f64>) -> (u64, u64, u64) {
    let (name, ours_f, glibc_f, libm_f) = f;
    let (mut n, mut bad, mut libm_bad) = (0, 0, 0);
    for x in xs {
        n += 1;
        let (ours, glibc) = (ours_f(x), black_box(glibc_f)(black_box(x)));
        libm_bad += u64::from(!same(libm_f(x), glibc));
        if !same(ours, glibc) {
            if bad < 10 {
                eprintln!(
                    "{name}({x:e} = {:#x}): {ours:e} vs glibc {glibc:e}",
                    x.to_bits()
                );
            }
            bad += 1;
        }
    }
    (n, bad, libm_bad)
}

/// Mismatches of exp against glibc on `xs`.
fn exp_mismatches(xs: impl Iterator<Item = f64>) -> (u64, u64, u64) {
    mismatches(EXP, xs)
}

/// Mismatches of pow against glibc on `xys` (the first few printed), and of the libm
/// crate's pow.
fn pow_mismatches(xys: impl Iterator<Item = (f64, f64)>) -> (u64, u64, u64) {
    let (mut n, mut bad, mut libm_bad) = (0, 0, 0);
    for (x, y) in xys {
        n += 1;
        let (ours, glibc) = (pow(x, y), black_box(x).powf(black_box(y)));
        libm_bad += u64::from(!same(libm::pow(x, y), glibc));
        if !same(ours, glibc) {
            if bad < 10 {
                eprintln!(
                    "pow({x:e}, {y:e}) ({:#x}, {:#x}): {ours:e} vs glibc {glibc:e}",
                    x.to_bits(),
                    y.to_bits()
                );
            }
            bad += 1;
        }
    }
    (n, bad, libm_bad)
}

/// Special values and the edges of the ranges.
fn specials() -> Vec<f64> {
    let mut v = vec![
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        -0.5,
        2.0,
        -2.0,
        3.0,
        -3.0,
        10.0,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NAN,
        -f64::NAN,
        f64::MAX,
        f64::MIN,
        f64::MIN_POSITIVE,
        -f64::MIN_POSITIVE,
        f64::from_bits(1),
        f64::from_bits(0x8000_0000_0000_0001),
        f64::from_bits(0x000f_ffff_ffff_ffff),
        f64::EPSILON,
        709.782712893384,
        709.7827128933841,
        709.78,
        709.8,
        -708.3964185322641,
        -708.4,
        -744.440_071_921_381_2,
        -745.1332191019411,
        -745.1332191019412,
        -745.2,
        512.0,
        -512.0,
        1024.0,
        -1024.0,
        2f64.powi(-54),
        -2f64.powi(-54),
        2f64.powi(-55),
        2f64.powi(-65),
        2f64.powi(-66),
        2f64.powi(63),
        -2f64.powi(63),
        2f64.powi(62),
        9007199254740993.0,
        9007199254740992.0,
        4503599627370497.0,
        1e300,
        -1e300,
        1e-300,
        0.1,
        -0.1,
        1.0000000000000002,
        0.9999999999999999,
        -1.0000000000000002,
        -0.9999999999999999,
        std::f64::consts::E,
        std::f64::consts::LN_2,
    ];
    for e in -1080..1030 {
        let p = 2f64.powi(e);
        v.push(p);
        v.push(-p);
        v.push(f64::from_bits(p.to_bits() + 1));
        v.push(f64::from_bits(p.to_bits().wrapping_sub(1)));
    }
    v.retain(|x| !(x.is_nan() && x.to_bits() & 0x0008_0000_0000_0000 == 0));
    v
}

#[test]
fn exp_special_values() {
    if !glibc_uses_fma() {
        return;
    }
    let (n, bad, _) = exp_mismatches(specials().into_iter());
    assert_eq!(bad, 0, "{bad} of {n} exp results differ from glibc's");
}

#[test]
fn exp_random() {
    if !glibc_uses_fma() {
        return;
    }
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut total = (0, 0, 0);
    let mut add = |(n, b, l): (u64, u64, u64)| {
        total.0 += n;
        total.1 += b;
        total.2 += l;
    };
    // The whole range of finite non-trivial results, uniformly.
    add(exp_mismatches(
        (0..n(6_000_000)).map(|_| rng.range(-745.2, 709.8)),
    ));
    // Small arguments, log-uniformly from 2^-60 to 2^4, both signs.
    add(exp_mismatches((0..n(2_000_000)).map(|_| {
        let m = rng.range(-60.0, 4.0).exp2();
        if rng.next() & 1 == 0 {
            m
        } else {
            -m
        }
    })));
    // The special case's ranges: near overflow and subnormal results.
    add(exp_mismatches(
        (0..n(1_000_000)).map(|_| rng.range(700.0, 710.0)),
    ));
    add(exp_mismatches(
        (0..n(1_000_000)).map(|_| rng.range(-746.0, -700.0)),
    ));
    // Any bit pattern.
    add(exp_mismatches(
        (0..n(500_000)).map(|_| f64::from_bits(rng.next())),
    ));
    eprintln!(
        "exp: {} of {} differ from glibc (the libm crate's: {})",
        total.1, total.0, total.2
    );
    assert_eq!(total.1, 0);
}

/// expm1, cosh, sinh and tanh on special values, then on random arguments: uniformly in
/// (-25, 25) and (-711, 711), log-uniformly from 2^-60 to 2^10, any bits.
#[test]
fn hyperbolic_random() {
    if !glibc_uses_fma() {
        return;
    }
    let mut bad = 0;
    for f in [EXPM1, COSH, SINH, TANH] {
        let mut rng = Rng(0x0123_4567_89ab_cdef);
        let mut total = mismatches(f, specials().into_iter());
        for (n, b, l) in [
            mismatches(f, (0..n(1_000_000)).map(|_| rng.range(-25.0, 25.0))),
            mismatches(f, (0..n(500_000)).map(|_| rng.range(-711.0, 711.0))),
            mismatches(
                f,
                (0..n(500_000)).map(|_| {
                    let m = rng.range(-60.0, 10.0).exp2();
                    if rng.next() & 1 == 0 {
                        m
                    } else {
                        -m
                    }
                }),
            ),
            mismatches(f, (0..n(200_000)).map(|_| f64::from_bits(rng.next()))),
        ] {
            total.0 += n;
            total.1 += b;
            total.2 += l;
        }
        eprintln!(
            "{}: {} of {} differ from glibc (the libm crate's: {})",
            f.0, total.1, total.0, total.2
        );
        bad += total.1;
    }
    assert_eq!(bad, 0);
}

#[test]
fn pow_special_values() {
    if !glibc_uses_fma() {
        return;
    }
    let s = specials();
    let (n, bad, _) = pow_mismatches(s.iter().flat_map(|&x| s.iter().map(move |&y| (x, y))));
    assert_eq!(bad, 0, "{bad} of {n} pow results differ from glibc's");
}

/// pow on random (x, y) in ranges users reach and near the limits.
#[test]
fn pow_random() {
    if !glibc_uses_fma() {
        return;
    }
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut total = (0, 0, 0);
    let mut add = |what: &str, (n, b, l): (u64, u64, u64)| {
        eprintln!("pow, {what}: {b} of {n} differ (the libm crate's: {l})");
        total.0 += n;
        total.1 += b;
        total.2 += l;
    };
    add(
        "x in (0, 10), y in (-300, 300)",
        pow_mismatches((0..n(3_000_000)).map(|_| (rng.range(0.0, 10.0), rng.range(-300.0, 300.0)))),
    );
    add(
        "x within 2^-10 of 1, |y| up to 2^40",
        pow_mismatches((0..n(1_000_000)).map(|_| {
            let x = 1.0 + rng.range(-1.0, 1.0) * rng.range(-60.0, -10.0).exp2();
            let y = rng.range(-1.0, 1.0) * rng.range(0.0, 40.0).exp2();
            (x, y)
        })),
    );
    add(
        "x < 0, integer y in [-1100, 1100]",
        pow_mismatches((0..n(1_000_000)).map(|_| {
            let x = -rng.range(0.0, 10.0);
            let y = (rng.next() % 2201) as f64 - 1100.0;
            (x, y)
        })),
    );
    add(
        "x < 0, y = 2^k * odd (large integers)",
        pow_mismatches((0..n(300_000)).map(|_| {
            let x = -(1.0 + rng.range(-1.0, 1.0) * 2f64.powi(-40));
            let y = ((rng.next() >> 11) | 1) as f64 * 2f64.powi((rng.next() % 12) as i32);
            (x, if rng.next() & 1 == 0 { y } else { -y })
        })),
    );
    add(
        "results near overflow and underflow (y log x in [-760, 720])",
        pow_mismatches((0..n(1_500_000)).map(|_| {
            let mut x = rng.range(0.0, 10.0);
            if (x - 1.0).abs() < 0.01 {
                x = 3.0;
            }
            let t = rng.range(-760.0, 720.0);
            let y = t / x.ln();
            (
                if rng.next() & 3 == 0 { -x } else { x },
                y.round_ties_even(),
            )
        })),
    );
    add(
        "results near overflow and underflow, non-integer y",
        pow_mismatches((0..n(1_000_000)).map(|_| {
            let mut x = rng.range(0.0, 10.0);
            if (x - 1.0).abs() < 0.01 {
                x = 0.25;
            }
            (x, rng.range(-760.0, 720.0) / x.ln())
        })),
    );
    add(
        "subnormal and tiny x",
        pow_mismatches((0..n(500_000)).map(|_| {
            let x = f64::from_bits(rng.next() >> (12 + rng.next() % 20));
            (x, rng.range(-1.2, 1.2))
        })),
    );
    add(
        "huge and tiny |y|",
        pow_mismatches((0..n(500_000)).map(|_| {
            let x = rng.range(0.0, 3.0);
            let e = rng.range(-80.0, 70.0).exp2();
            (x, if rng.next() & 1 == 0 { e } else { -e })
        })),
    );
    add(
        "x and y of any bits",
        pow_mismatches(
            (0..n(1_000_000)).map(|_| (f64::from_bits(rng.next()), f64::from_bits(rng.next()))),
        ),
    );
    add(
        "x of any bits, y in (-4, 4)",
        pow_mismatches((0..n(500_000)).map(|_| (f64::from_bits(rng.next()), rng.range(-4.0, 4.0)))),
    );
    eprintln!(
        "pow: {} of {} differ from glibc (the libm crate's: {})",
        total.1, total.0, total.2
    );
    assert_eq!(total.1, 0);
}

/// Nanoseconds a call of ours, of the libm crate's and of glibc's exp and pow take here
/// (`cargo test --release --lib fmath -- --ignored --nocapture`).
#[test]
#[ignore]
fn speed() {
    use std::time::Instant;
    let mut rng = Rng(7);
    let xs: Vec<f64> = (0..1_000_000).map(|_| rng.range(-700.0, 700.0)).collect();
    let ps: Vec<(f64, f64)> = (0..1_000_000)
        .map(|_| (rng.range(0.0, 10.0), rng.range(-300.0, 300.0)))
        .collect();
    let time = |what: &str, f: &dyn Fn() -> f64| {
        let t = Instant::now();
        black_box(f());
        eprintln!("{what}: {:.1} ns", t.elapsed().as_nanos() as f64 / 1e6);
    };
    time("exp, ours", &|| xs.iter().map(|&x| exp(black_box(x))).sum());
    time("exp, libm", &|| {
        xs.iter().map(|&x| libm::exp(black_box(x))).sum()
    });
    time("exp, glibc", &|| {
        xs.iter().map(|&x| black_box(x).exp()).sum()
    });
    time("pow, ours", &|| {
        ps.iter().map(|&(x, y)| pow(black_box(x), y)).sum()
    });
    time("pow, libm", &|| {
        ps.iter().map(|&(x, y)| libm::pow(black_box(x), y)).sum()
    });
    time("pow, glibc", &|| {
        ps.iter().map(|&(x, y)| black_box(x).powf(y)).sum()
    });
    time("fma", &|| {
        xs.iter().map(|&x| libm::fma(black_box(x), 1.1, 0.3)).sum()
    });
}
