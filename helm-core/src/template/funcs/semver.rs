//! Template functions: semantic versions (`semver`, `semverCompare`) over
//! [`crate::gocompat::semver`], Masterminds' library as Sprig uses it.
//!
//! `semver` returns a `*semver.Version` object whose methods (`Major`, `Compare`, `IncPatch`,
//! …) templates call; the `Inc*`/`Set*` methods return a `semver.Version` value, which (as in
//! Go) has no `Original` method since that one is on the pointer.

use super::conversion::str_arg;
use super::{FuncError, FuncTable, Param};
use crate::gocompat::semver::{validate_metadata, validate_prerelease, Constraints, Version};
use crate::values::{Object, Value};
use std::sync::Arc;

pub fn register(t: &mut FuncTable) {
    use Param::String as S;
    t.add("semver", &[S], None, |a| {
        let v = Version::parse(str_arg(a, 0)).map_err(FuncError::new)?;
        Ok(Value::Object(Arc::new(SemverObject { v, pointer: true })))
    });
    t.add("semverCompare", &[S, S], None, |a| {
        let c = Constraints::parse(str_arg(a, 0)).map_err(FuncError::new)?;
        let v = Version::parse(str_arg(a, 1)).map_err(FuncError::new)?;
        Ok(Value::Bool(c.check(&v)))
    });
}

/// A `*semver.Version` (pointer) or `semver.Version` (value, from `IncPatch` & co.).
pub struct SemverObject {
    pub v: Version,
    pub pointer: bool,
}

impl SemverObject {
    fn value(v: Version) -> Value {
        Value::Object(Arc::new(SemverObject { v, pointer: false }))
    }

    /// The `*Version` argument of `Compare`, `LessThan`, ….
    fn version_arg(args: &[Value], method: &str) -> Result<Version, String> {
        match args.first() {
            Some(Value::Object(o)) => match o.as_any().downcast_ref::<SemverObject>() {
                Some(s) if s.pointer => Ok(s.v.clone()),
                Some(_) => {
                    Err("wrong type for value; expected *semver.Version; got semver.Version".into())
                }
                None => Err(format!(
                    "wrong type for value; expected *semver.Version; got {}",
                    o.type_name()
                )),
            },
            Some(other) => Err(format!(
                "wrong type for value; expected *semver.Version; got {}",
                other.go_type_name()
            )),
            None => Err(format!("wrong number of args for {method}: want 1 got 0")),
        }
    }
}

const METHODS: &[&str] = &[
    "Major",
    "Minor",
    "Patch",
    "Prerelease",
    "Metadata",
    "String",
    "Compare",
    "LessThan",
    "LessThanEqual",
    "GreaterThan",
    "GreaterThanEqual",
    "Equal",
    "IncPatch",
    "IncMinor",
    "IncMajor",
    "SetPrerelease",
    "SetMetadata",
    "MarshalText",
    "MarshalJSON",
];

impl Object for SemverObject {
    fn type_name(&self) -> &str {
        if self.pointer {
            "*semver.Version"
        } else {
            "semver.Version"
        }
    }
    fn kind_name(&self) -> &str {
        if self.pointer {
            "ptr"
        } else {
            "struct"
        }
    }
    fn has_method(&self, name: &str) -> bool {
        METHODS.contains(&name) || self.pointer && name == "Original"
    }
    fn call_method(&self, name: &str, args: &[Value]) -> Result<Value, String> {
        let v = &self.v;
        Ok(match name {
            "Major" => Value::Uint(v.major),
            "Minor" => Value::Uint(v.minor),
            "Patch" => Value::Uint(v.patch),
            "Prerelease" => Value::str(&v.pre),
            "Metadata" => Value::str(&v.metadata),
            "Original" if self.pointer => Value::str(&v.original),
            "String" => Value::from(v.to_string()),
            "MarshalText" => Value::Bytes(v.to_string().into_bytes().into()),
            "MarshalJSON" => Value::Bytes(format!("{:?}", v.to_string()).into_bytes().into()),
            "Compare" => Value::Int(v.compare(&Self::version_arg(args, name)?)),
            "LessThan" => Value::Bool(v.compare(&Self::version_arg(args, name)?) < 0),
            "LessThanEqual" => Value::Bool(v.compare(&Self::version_arg(args, name)?) <= 0),
            "GreaterThan" => Value::Bool(v.compare(&Self::version_arg(args, name)?) > 0),
            "GreaterThanEqual" => Value::Bool(v.compare(&Self::version_arg(args, name)?) >= 0),
            "Equal" => Value::Bool(v.compare(&Self::version_arg(args, name)?) == 0),
            "IncPatch" => Self::value(v.inc_patch()),
            "IncMinor" => Self::value(v.inc_minor()),
            "IncMajor" => Self::value(v.inc_major()),
            "SetPrerelease" | "SetMetadata" => {
                let s = match args.first() {
                    Some(Value::String(s)) => s.to_string(),
                    _ => return Err("wrong type for value; expected string".into()),
                };
                let mut n = v.clone();
                if name == "SetPrerelease" {
                    if !s.is_empty() {
                        validate_prerelease(&s)?;
                    }
                    n.pre = s;
                } else {
                    if !s.is_empty() {
                        validate_metadata(&s)?;
                    }
                    n.metadata = s;
                }
                Self::value(n.with_original(v.v_prefix()))
            }
            _ => return Err(format!("can't call method {name}")),
        })
    }
    fn go_string(&self) -> String {
        self.v.to_string()
    }
    fn to_data(&self) -> Value {
        Value::from(self.v.to_string())
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}
