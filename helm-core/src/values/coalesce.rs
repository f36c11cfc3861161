//! coalesce (not yet written).
