//! Template functions: slash-separated paths (`base`, `dir`, `clean`, `ext`, `isAbs`) and
//! their `os*` counterparts.
//!
//! Sprig maps the plain names to Go's `path` package and the `os*` names to `path/filepath`;
//! Helm runs on Linux in practice (and the reference output comes from Linux), where the two
//! behave identically, so both use Go's `path` algorithms here.

use super::conversion::str_arg;
use super::{FuncTable, Param};
use crate::gocompat::path::{base, clean, dir, ext};
use crate::values::Value;

pub fn register(t: &mut FuncTable) {
    use Param::String as S;
    for (plain, os) in [
        ("base", "osBase"),
        ("dir", "osDir"),
        ("clean", "osClean"),
        ("ext", "osExt"),
    ] {
        t.add(
            plain,
            &[S],
            None,
            match plain {
                "base" => |a| Ok(Value::from(base(str_arg(a, 0)))),
                "dir" => |a| Ok(Value::from(dir(str_arg(a, 0)))),
                "clean" => |a| Ok(Value::from(clean(str_arg(a, 0)))),
                _ => |a| Ok(Value::str(ext(str_arg(a, 0)))),
            },
        );
        t.add(
            os,
            &[S],
            None,
            match plain {
                "base" => |a| Ok(Value::from(base(str_arg(a, 0)))),
                "dir" => |a| Ok(Value::from(dir(str_arg(a, 0)))),
                "clean" => |a| Ok(Value::from(clean(str_arg(a, 0)))),
                _ => |a| Ok(Value::str(ext(str_arg(a, 0)))),
            },
        );
    }
    t.add("isAbs", &[S], None, |a| {
        Ok(Value::Bool(str_arg(a, 0).starts_with('/')))
    });
    t.add("osIsAbs", &[S], None, |a| {
        Ok(Value::Bool(str_arg(a, 0).starts_with('/')))
    });
}
