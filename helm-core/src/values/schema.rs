//! schema (not yet written).
