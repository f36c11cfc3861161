//! json (not yet written).
