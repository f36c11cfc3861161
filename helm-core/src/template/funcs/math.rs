//! Template functions: arithmetic (`add`, `sub`, `mul`, `div`, `mod`, `max`, `min`, `floor`,
//! `ceil`, `round`, `addf`…`divf`, `maxf`, `minf`) and number sequences (`until`,
//! `untilStep`, `seq`).
//!
//! Integer math converts every operand with `cast.ToInt64` and returns Go `int64` (so
//! `add 1 "2"` is 3 and `add 1 1.9` is 2), wrapping on overflow as Go does; division by zero is
//! Go's runtime panic. The float functions go through `shopspring/decimal`: each operand is
//! turned into its shortest decimal form, the operation is exact (division rounds half away
//! from zero at 16 decimal places) and the result is the nearest float64, which is why
//! `addf 0.1 0.2` is exactly 0.3 in Helm.

use super::conversion::{arg, int_arg, shortest_digits, to_float64, to_int64};
use super::{FuncError, FuncResult, FuncTable, Param};
use crate::values::Value;
use num_bigint::{BigInt, Sign};

/// The largest list `until`/`untilStep` will build (Go would try any size and exhaust memory).
const MAX_SEQUENCE: usize = 1 << 24;

pub fn register(t: &mut FuncTable) {
    use Param::{Any, Float64, Int};
    t.add("add1", &[Any], None, |a| {
        Ok(Value::Int64(to_int64(arg(a, 0)).wrapping_add(1)))
    });
    t.add("add", &[], Some(Any), |a| {
        Ok(Value::Int64(
            a.iter().fold(0i64, |s, v| s.wrapping_add(to_int64(v))),
        ))
    });
    t.add("sub", &[Any, Any], None, |a| {
        Ok(Value::Int64(
            to_int64(arg(a, 0)).wrapping_sub(to_int64(arg(a, 1))),
        ))
    });
    t.add("div", &[Any, Any], None, |a| {
        let (x, y) = (to_int64(arg(a, 0)), to_int64(arg(a, 1)));
        if y == 0 {
            return Err(divide_by_zero());
        }
        Ok(Value::Int64(x.wrapping_div(y)))
    });
    t.add("mod", &[Any, Any], None, |a| {
        let (x, y) = (to_int64(arg(a, 0)), to_int64(arg(a, 1)));
        if y == 0 {
            return Err(divide_by_zero());
        }
        Ok(Value::Int64(x.wrapping_rem(y)))
    });
    t.add("mul", &[Any], Some(Any), |a| {
        let first = to_int64(arg(a, 0));
        Ok(Value::Int64(
            a.iter()
                .skip(1)
                .fold(first, |p, v| p.wrapping_mul(to_int64(v))),
        ))
    });
    for name in ["max", "biggest"] {
        t.add(name, &[Any], Some(Any), |a| {
            Ok(Value::Int64(
                a.iter()
                    .skip(1)
                    .map(to_int64)
                    .fold(to_int64(arg(a, 0)), i64::max),
            ))
        });
    }
    t.add("min", &[Any], Some(Any), |a| {
        Ok(Value::Int64(
            a.iter()
                .skip(1)
                .map(to_int64)
                .fold(to_int64(arg(a, 0)), i64::min),
        ))
    });
    t.add("maxf", &[Any], Some(Any), |a| {
        Ok(Value::Float(
            a.iter()
                .skip(1)
                .map(to_float64)
                .fold(to_float64(arg(a, 0)), go_max),
        ))
    });
    t.add("minf", &[Any], Some(Any), |a| {
        Ok(Value::Float(
            a.iter()
                .skip(1)
                .map(to_float64)
                .fold(to_float64(arg(a, 0)), go_min),
        ))
    });
    t.add("floor", &[Any], None, |a| {
        Ok(Value::Float(to_float64(arg(a, 0)).floor()))
    });
    t.add("ceil", &[Any], None, |a| {
        Ok(Value::Float(to_float64(arg(a, 0)).ceil()))
    });
    t.add("round", &[Any, Int], Some(Float64), |a| {
        let round_on = a.get(2).and_then(Value::as_f64).unwrap_or(0.5);
        Ok(Value::Float(round(
            to_float64(arg(a, 0)),
            int_arg(a, 1),
            round_on,
        )))
    });
    t.add("add1f", &[Any], None, |a| {
        decimal_op(arg(a, 0), &[Value::Int(1)], DecOp::Add)
    });
    t.add("addf", &[], Some(Any), |a| {
        decimal_op(&Value::Float(0.0), a, DecOp::Add)
    });
    t.add("subf", &[Any], Some(Any), |a| {
        decimal_op(arg(a, 0), a.get(1..).unwrap_or(&[]), DecOp::Sub)
    });
    t.add("mulf", &[Any], Some(Any), |a| {
        decimal_op(arg(a, 0), a.get(1..).unwrap_or(&[]), DecOp::Mul)
    });
    t.add("divf", &[Any], Some(Any), |a| {
        decimal_op(arg(a, 0), a.get(1..).unwrap_or(&[]), DecOp::Div)
    });
    t.add("until", &[Int], None, |a| {
        let n = int_arg(a, 0);
        int_list(until_step(0, n, if n < 0 { -1 } else { 1 })?)
    });
    t.add("untilStep", &[Int, Int, Int], None, |a| {
        int_list(until_step(int_arg(a, 0), int_arg(a, 1), int_arg(a, 2))?)
    });
    t.add("seq", &[], Some(Int), |a| {
        let p: Vec<i64> = (0..a.len()).map(|i| int_arg(a, i)).collect();
        seq(&p).map(Value::from)
    });
}

fn divide_by_zero() -> FuncError {
    FuncError::new("runtime error: integer divide by zero")
}

/// Go's `math.Max` (NaN wins, +0 beats -0).
fn go_max(x: f64, y: f64) -> f64 {
    if x.is_infinite() && x > 0.0 || y.is_infinite() && y > 0.0 {
        return f64::INFINITY;
    }
    if x.is_nan() || y.is_nan() {
        return f64::NAN;
    }
    if x == 0.0 && y == 0.0 {
        return if x.is_sign_negative() { y } else { x };
    }
    if x > y {
        x
    } else {
        y
    }
}

/// Go's `math.Min` (NaN wins, -0 beats +0).
fn go_min(x: f64, y: f64) -> f64 {
    if x.is_infinite() && x < 0.0 || y.is_infinite() && y < 0.0 {
        return f64::NEG_INFINITY;
    }
    if x.is_nan() || y.is_nan() {
        return f64::NAN;
    }
    if x == 0.0 && y == 0.0 {
        return if x.is_sign_negative() { x } else { y };
    }
    if x < y {
        x
    } else {
        y
    }
}

/// Sprig's `round`: scale by 10^places, round up when the fraction reaches `round_on`.
fn round(val: f64, places: i64, round_on: f64) -> f64 {
    let pow = go_pow10(places as f64);
    let digit = pow * val;
    let frac = if digit.is_infinite() {
        0.0
    } else {
        digit.fract()
    };
    let r = if frac >= round_on {
        digit.ceil()
    } else {
        digit.floor()
    };
    r / pow
}

fn go_pow10(p: f64) -> f64 {
    if p.abs() <= 400.0 {
        10f64.powi(p as i32)
    } else if p > 0.0 {
        f64::INFINITY
    } else {
        0.0
    }
}

fn int_list(v: Vec<i64>) -> FuncResult {
    Ok(Value::list(v.into_iter().map(Value::Int).collect()))
}

/// Sprig's `untilStep`: start, start+step, … up to (not including) stop; empty when the step
/// points the wrong way or is zero.
fn until_step(start: i64, stop: i64, step: i64) -> Result<Vec<i64>, FuncError> {
    let mut v = Vec::new();
    if stop < start {
        if step >= 0 {
            return Ok(v);
        }
    } else if step <= 0 {
        return Ok(v);
    }
    // The number of elements, computed up front so an absurd range fails without building it.
    let span = (i128::from(stop) - i128::from(start)).unsigned_abs();
    let count = span.div_ceil(i128::from(step).unsigned_abs());
    if count > MAX_SEQUENCE as u128 {
        return Err(FuncError::new("runtime error: makeslice: len out of range"));
    }
    v.reserve(count as usize);
    let mut i = start;
    while if stop < start { i > stop } else { i < stop } {
        v.push(i);
        match i.checked_add(step) {
            Some(n) => i = n,
            None => break,
        }
    }
    Ok(v)
}

/// Sprig's `seq` (like GNU seq): `seq END`, `seq START END`, `seq START STEP END`.
fn seq(p: &[i64]) -> Result<String, FuncError> {
    let join = |v: Vec<i64>| v.iter().map(i64::to_string).collect::<Vec<_>>().join(" ");
    match p.len() {
        1 => {
            let (start, end) = (1, p[0]);
            let inc = if end < start { -1 } else { 1 };
            Ok(join(until_step(start, end.wrapping_add(inc), inc)?))
        }
        2 => {
            let (start, end) = (p[0], p[1]);
            let step = if end < start { -1 } else { 1 };
            Ok(join(until_step(start, end.wrapping_add(step), step)?))
        }
        3 => {
            let (start, step, end) = (p[0], p[1], p[2]);
            let mut inc = 1;
            if end < start {
                inc = -1;
                if step > 0 {
                    return Ok(String::new());
                }
            }
            Ok(join(until_step(start, end.wrapping_add(inc), step)?))
        }
        _ => Ok(String::new()),
    }
}

// ---------------------------------------------------------------------------------------------
// shopspring/decimal, as far as Sprig's float functions use it.

#[derive(Clone, Copy)]
enum DecOp {
    Add,
    Sub,
    Mul,
    Div,
}

/// An exact decimal `coef × 10^exp`.
#[derive(Clone, Debug)]
struct Decimal {
    coef: BigInt,
    exp: i64,
}

/// Digits kept by `Decimal.Div` (shopspring's `DivisionPrecision`).
const DIVISION_PRECISION: i64 = 16;

impl Decimal {
    /// `decimal.NewFromFloat`: the shortest decimal that reads back as `f`.
    fn from_f64(f: f64) -> Result<Decimal, FuncError> {
        if f.is_nan() || f.is_infinite() {
            return Err(FuncError::new(format!(
                "Cannot create a Decimal from {}",
                super::conversion::format_float_g(f)
            )));
        }
        if f == 0.0 {
            return Ok(Decimal {
                coef: BigInt::from(0),
                exp: 0,
            });
        }
        let (neg, digits, e) = shortest_digits(f);
        let mut coef: BigInt = digits.parse().unwrap_or_default();
        if neg {
            coef = -coef;
        }
        Ok(Decimal {
            coef,
            exp: e as i64 - (digits.len() as i64 - 1),
        })
    }

    fn pow10(n: i64) -> BigInt {
        num_traits_pow(BigInt::from(10), n.max(0) as u32)
    }

    /// Both values at the smaller exponent.
    fn align(a: &Decimal, b: &Decimal) -> (BigInt, BigInt, i64) {
        let e = a.exp.min(b.exp);
        (
            &a.coef * Self::pow10(a.exp - e),
            &b.coef * Self::pow10(b.exp - e),
            e,
        )
    }

    fn apply(&self, op: DecOp, other: &Decimal) -> Result<Decimal, FuncError> {
        Ok(match op {
            DecOp::Add => {
                let (x, y, e) = Self::align(self, other);
                Decimal {
                    coef: x + y,
                    exp: e,
                }
            }
            DecOp::Sub => {
                let (x, y, e) = Self::align(self, other);
                Decimal {
                    coef: x - y,
                    exp: e,
                }
            }
            DecOp::Mul => Decimal {
                coef: &self.coef * &other.coef,
                exp: self.exp + other.exp,
            },
            DecOp::Div => {
                if other.coef.sign() == Sign::NoSign {
                    return Err(FuncError::new("decimal division by 0"));
                }
                // q = trunc(self / other × 10^p), then round half away from zero.
                let k = self.exp - other.exp + DIVISION_PRECISION;
                if k.abs() > 100_000 {
                    return Err(FuncError::new("overflow in decimal QuoRem"));
                }
                let (num, den) = if k >= 0 {
                    (&self.coef * Self::pow10(k), other.coef.clone())
                } else {
                    (self.coef.clone(), &other.coef * Self::pow10(-k))
                };
                let mut q = &num / &den;
                let r = &num - &q * &den;
                let twice: BigInt = r.magnitude().clone().into();
                let twice = twice * 2;
                let den_abs: BigInt = den.magnitude().clone().into();
                if twice >= den_abs {
                    if (self.coef.sign() == Sign::Minus) != (other.coef.sign() == Sign::Minus) {
                        q -= 1;
                    } else {
                        q += 1;
                    }
                }
                Decimal {
                    coef: q,
                    exp: -DIVISION_PRECISION,
                }
            }
        })
    }

    /// The nearest float64 (`d.Rat().Float64()`).
    fn to_f64(&self) -> f64 {
        if self.exp.abs() > 100_000 {
            return if self.exp > 0 && self.coef.sign() != Sign::NoSign {
                if self.coef.sign() == Sign::Minus {
                    f64::NEG_INFINITY
                } else {
                    f64::INFINITY
                }
            } else {
                0.0
            };
        }
        format!("{}e{}", self.coef, self.exp).parse().unwrap_or(0.0)
    }
}

fn num_traits_pow(base: BigInt, exp: u32) -> BigInt {
    base.pow(exp)
}

/// Sprig's `execDecimalOp`: fold the operands through `op` in decimal, return the float64.
fn decimal_op(first: &Value, rest: &[Value], op: DecOp) -> FuncResult {
    let mut acc = Decimal::from_f64(to_float64(first))?;
    for x in rest {
        acc = acc.apply(op, &Decimal::from_f64(to_float64(x))?)?;
    }
    Ok(Value::Float(acc.to_f64()))
}
