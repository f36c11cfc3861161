//! Template functions: dicts (not yet written).

use super::FuncTable;

pub fn register(_t: &mut FuncTable) {}
