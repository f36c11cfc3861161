//! Template functions: randomness (`randAlphaNum`, `randAlpha`, `randNumeric`, `randAscii`,
//! `randInt`, `randBytes`, `uuidv4`).
//!
//! The values are random, so only their *shape* can match Go: the same alphabets as
//! goutils' `CryptoRandom*` (letters `A-Za-z`, digits `0-9`, printable ASCII 32..=126),
//! the same lengths, `randBytes` as standard base64 of N bytes, `uuidv4` in canonical
//! lowercase form. Edge cases follow Go: a negative length gives `""` for the string helpers
//! (goutils' error is swallowed by Sprig), `randInt` with `max <= min` fails with Go's
//! `rand.Intn` panic text, `randBytes` with a negative count with Go's `makeslice` panic text.

use super::{FuncError, FuncResult, FuncTable, Param};
use crate::values::Value;
use base64::Engine as _;
use rand::Rng;

pub fn register(t: &mut FuncTable) {
    t.add("randAlphaNum", &[Param::Int], None, rand_alpha_num);
    t.add("randAlpha", &[Param::Int], None, rand_alpha);
    t.add("randNumeric", &[Param::Int], None, rand_numeric);
    t.add("randAscii", &[Param::Int], None, rand_ascii);
    t.add("randInt", &[Param::Int, Param::Int], None, rand_int);
    t.add("randBytes", &[Param::Int], None, rand_bytes);
    t.add("uuidv4", &[], None, uuidv4);
}

const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const DIGITS: &[u8] = b"0123456789";
const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/// Go `int` arguments; the executor guarantees the kind, this only guards the unexpected.
fn int_arg(args: &[Value], i: usize) -> i64 {
    args.get(i).and_then(Value::as_i64).unwrap_or(0)
}

/// A random string of `count` characters from `alphabet`; `""` for `count <= 0` as in Sprig.
fn random_string(count: i64, alphabet: &[u8]) -> String {
    if count <= 0 || alphabet.is_empty() {
        return String::new();
    }
    let mut rng = rand::thread_rng();
    (0..count)
        .map(|_| alphabet[rng.gen_range(0..alphabet.len())] as char)
        .collect()
}

fn rand_alpha_num(args: &[Value]) -> FuncResult {
    Ok(Value::from(random_string(int_arg(args, 0), ALNUM)))
}

fn rand_alpha(args: &[Value]) -> FuncResult {
    Ok(Value::from(random_string(int_arg(args, 0), LETTERS)))
}

fn rand_numeric(args: &[Value]) -> FuncResult {
    Ok(Value::from(random_string(int_arg(args, 0), DIGITS)))
}

fn rand_ascii(args: &[Value]) -> FuncResult {
    let printable: Vec<u8> = (32u8..127).collect();
    Ok(Value::from(random_string(int_arg(args, 0), &printable)))
}

/// `rand.Intn(max-min) + min`, with Go's wrapping `int` arithmetic.
fn rand_int(args: &[Value]) -> FuncResult {
    let (min, max) = (int_arg(args, 0), int_arg(args, 1));
    let span = max.wrapping_sub(min);
    if span <= 0 {
        return Err(FuncError::new("invalid argument to Intn"));
    }
    Ok(Value::Int(
        rand::thread_rng().gen_range(0..span).wrapping_add(min),
    ))
}

fn rand_bytes(args: &[Value]) -> FuncResult {
    let count = int_arg(args, 0);
    if count < 0 {
        return Err(FuncError::new("runtime error: makeslice: len out of range"));
    }
    let len = usize::try_from(count)
        .map_err(|_| FuncError::new("runtime error: makeslice: len out of range"))?;
    let mut buf = vec![0u8; len];
    rand::thread_rng().fill(&mut buf[..]);
    Ok(Value::from(
        base64::engine::general_purpose::STANDARD.encode(buf),
    ))
}

fn uuidv4(_args: &[Value]) -> FuncResult {
    Ok(Value::from(uuid::Uuid::new_v4().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: FuncResult) -> String {
        v.unwrap().as_str().unwrap().to_string()
    }

    #[test]
    fn shapes_match_go() {
        let a = s(rand_alpha(&[Value::Int(50)]));
        assert_eq!(a.len(), 50);
        assert!(a.bytes().all(|c| c.is_ascii_alphabetic()));
        let n = s(rand_numeric(&[Value::Int(20)]));
        assert!(n.len() == 20 && n.bytes().all(|c| c.is_ascii_digit()));
        let an = s(rand_alpha_num(&[Value::Int(64)]));
        assert!(an.len() == 64 && an.bytes().all(|c| c.is_ascii_alphanumeric()));
        let asc = s(rand_ascii(&[Value::Int(64)]));
        assert!(asc.len() == 64 && asc.bytes().all(|c| (32..127).contains(&c)));
        assert_eq!(s(rand_alpha(&[Value::Int(-3)])), "");
        // base64 of 12 bytes is 16 characters without padding, as in the vector `lpP+ys2h3GGdel3M`.
        assert_eq!(s(rand_bytes(&[Value::Int(12)])).len(), 16);
        assert_eq!(s(rand_bytes(&[Value::Int(0)])), "");
        let u = s(uuidv4(&[]));
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
    }

    #[test]
    fn go_failures() {
        assert_eq!(
            rand_int(&[Value::Int(5), Value::Int(5)]).unwrap_err().0,
            "invalid argument to Intn"
        );
        assert_eq!(
            rand_bytes(&[Value::Int(-1)]).unwrap_err().0,
            "runtime error: makeslice: len out of range"
        );
        for _ in 0..50 {
            let v = rand_int(&[Value::Int(-5), Value::Int(-3)])
                .unwrap()
                .as_i64()
                .unwrap();
            assert!((-5..-3).contains(&v));
        }
    }
}
