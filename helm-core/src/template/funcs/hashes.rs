//! Template functions: Sprig's digests (`sha1sum`, `sha256sum`, `sha512sum`, `adler32sum`).
//!
//! Charts use these for checksum annotations (`checksum/config: {{ include ... | sha256sum }}`)
//! that roll Deployments when a ConfigMap changes, so the output must be bit-exact: lowercase
//! hex for the SHA family, and the decimal `uint32` Adler-32 value as Go's `%d` prints it.
//! Sprig v3.3.0 has no `md5sum`.

use super::{FuncResult, FuncTable, Param};
use crate::values::Value;
use sha1::Digest as _;

pub fn register(t: &mut FuncTable) {
    t.add("sha1sum", &[Param::String], None, sha1sum);
    t.add("sha256sum", &[Param::String], None, sha256sum);
    t.add("sha512sum", &[Param::String], None, sha512sum);
    t.add("adler32sum", &[Param::String], None, adler32sum);
}

/// The Go string's bytes (binary file contents included, see [`crate::gocompat::gostring`]).
fn input(args: &[Value]) -> std::borrow::Cow<'_, [u8]> {
    crate::gocompat::gostring::go_bytes(args.first().and_then(Value::as_str).unwrap_or(""))
}

fn sha1sum(args: &[Value]) -> FuncResult {
    Ok(Value::from(hex::encode(sha1::Sha1::digest(&*input(args)))))
}

fn sha256sum(args: &[Value]) -> FuncResult {
    Ok(Value::from(hex::encode(sha2::Sha256::digest(&*input(
        args,
    )))))
}

fn sha512sum(args: &[Value]) -> FuncResult {
    Ok(Value::from(hex::encode(sha2::Sha512::digest(&*input(
        args,
    )))))
}

fn adler32sum(args: &[Value]) -> FuncResult {
    let mut a = adler::Adler32::new();
    a.write_slice(&input(args));
    Ok(Value::from(a.checksum().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(f: fn(&[Value]) -> FuncResult, s: &str) -> String {
        f(&[Value::str(s)]).unwrap().as_str().unwrap().to_string()
    }

    #[test]
    fn digests_match_sprig_vectors() {
        // From sprig's crypto_test.go (and Helm 4.1.4 output in the conformance vectors).
        assert_eq!(
            run(sha1sum, "abc"),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(
            run(sha256sum, "abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            run(sha512sum, "abc"),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
        );
        assert_eq!(run(adler32sum, "abc"), "38600999");
        assert_eq!(run(adler32sum, ""), "1");
    }
}
