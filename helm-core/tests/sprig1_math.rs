//! Sprig math and conversion functions against outputs recorded from Go (Sprig v3.3.0,
//! spf13/cast v1.7.0, shopspring/decimal v1.4.0).
mod common;
use common::*;
use helm_core::Value;

#[test]
#[allow(clippy::approx_constant)] // 3.14159 is test data, not π
fn integer_math_matches_go() {
    let nil = Value::Nil;
    check(&[
        (
            "add",
            vec![i(1), s("2"), f(1.9), nil.clone(), Value::Bool(true)],
            "5",
        ),
        ("add1", vec![s("0x10")], "17"),
        ("sub", vec![i(5), s("x")], "5"),
        ("div", vec![i(7), i(2)], "3"),
        ("div", vec![i(-7), i(2)], "-3"),
        ("mod", vec![i(-7), i(3)], "-1"),
        ("mul", vec![i(2), i(3), s("4")], "24"),
        (
            "mod",
            vec![i(1), i(0)],
            "ERR: runtime error: integer divide by zero",
        ),
        (
            "div",
            vec![i(6), nil.clone()],
            "ERR: runtime error: integer divide by zero",
        ),
        ("max", vec![i(1), i(5), s("7"), f(2.9)], "7"),
        ("min", vec![i(3), i(-1)], "-1"),
        ("biggest", vec![i(1), i(9)], "9"),
        ("maxf", vec![i(1), f(2.5), s("3.5")], "3.5"),
        ("minf", vec![i(1), f(-2.5)], "-2.5"),
        ("floor", vec![f(1.5)], "1"),
        ("ceil", vec![s("1.2")], "2"),
        ("floor", vec![f(-1.5)], "-2"),
        ("round", vec![f(3.14159), i(2)], "3.14"),
        ("round", vec![f(2.5), i(0)], "3"),
        ("round", vec![f(-2.5), i(0)], "-3"),
        ("round", vec![f(1.2345), i(3), f(0.4)], "1.235"),
        ("round", vec![f(123.456), i(-1)], "120"),
        ("round", vec![s("12.5"), i(0)], "13"),
    ]);
}

#[test]
fn decimal_float_math_matches_go() {
    check(&[
        ("addf", vec![f(0.1), f(0.2)], "0.3"),
        ("addf", vec![], "0"),
        ("add1f", vec![f(1.5)], "2.5"),
        ("subf", vec![i(1), f(0.9)], "0.1"),
        ("mulf", vec![f(1.1), i(3)], "3.3"),
        ("divf", vec![i(1), i(3)], "0.3333333333333333"),
        ("divf", vec![i(2), i(3)], "0.6666666666666667"),
        ("divf", vec![i(-2), i(3)], "-0.6666666666666667"),
        ("divf", vec![i(10), i(4)], "2.5"),
        ("divf", vec![f(1e20), i(3)], "3.333333333333333e+19"),
        ("mulf", vec![f(1e200), f(1e200)], "+Inf"),
        ("divf", vec![i(1), i(7)], "0.1428571428571429"),
        ("divf", vec![i(1), i(0)], "ERR: decimal division by 0"),
        (
            "addf",
            vec![s("inf"), i(1)],
            "ERR: Cannot create a Decimal from +Inf",
        ),
    ]);
}

#[test]
fn conversions_match_go() {
    let bytes = Value::Bytes(b"hi".to_vec().into());
    check(&[
        ("int", vec![s("12.00")], "12"),
        ("int64", vec![s("0x1F")], "31"),
        ("float64", vec![s("1e3")], "1000"),
        ("atoi", vec![s("  12")], "0"),
        ("atoi", vec![s("-12")], "-12"),
        ("int", vec![f(3.99)], "3"),
        ("int", vec![f(-3.99)], "-3"),
        ("toDecimal", vec![s("0777")], "511"),
        ("toDecimal", vec![i(777)], "511"),
        ("toDecimal", vec![s("8")], "0"),
        ("int", vec![Value::Bool(true)], "1"),
        ("float64", vec![s("abc")], "0"),
        ("int", vec![s("1e3")], "0"),
        ("toString", vec![f(1.0)], "1"),
        ("toString", vec![bytes], "hi"),
        ("toString", vec![Value::Nil], "<nil>"),
        ("toString", vec![f(1e6)], "1e+06"),
        ("float64", vec![s("0x1p-2")], "0.25"),
        ("float64", vec![s("1_000.5")], "1000.5"),
        ("int", vec![s("1_000")], "1000"),
        ("int64", vec![s("+5")], "5"),
        ("float64", vec![s("+Inf")], "+Inf"),
        ("float64", vec![s(" 1")], "0"),
        ("float64", vec![s("1__0")], "0"),
        ("float64", vec![s("_10")], "0"),
    ]);
    // Result types: int / int64 / float64 as Go returns them.
    assert!(matches!(call("int", &[i(1)]).unwrap(), Value::Int(1)));
    assert!(matches!(call("int64", &[i(1)]).unwrap(), Value::Int64(1)));
    assert!(matches!(
        call("add", &[i(1), i(1)]).unwrap(),
        Value::Int64(2)
    ));
    assert!(matches!(
        call("addf", &[i(1), i(1)]).unwrap(),
        Value::Float(_)
    ));
    assert!(matches!(call("atoi", &[s("1")]).unwrap(), Value::Int(1)));
    assert!(matches!(
        call("toDecimal", &[s("1")]).unwrap(),
        Value::Int64(1)
    ));
    assert!(matches!(call("floor", &[i(1)]).unwrap(), Value::Float(_)));
    assert!(matches!(call("seq", &[i(1)]).unwrap(), Value::String(_)));
}
