//! Template functions: encoding (not yet written).

use super::FuncTable;

pub fn register(_t: &mut FuncTable) {}
