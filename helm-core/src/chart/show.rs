//! `helm show` (not yet written).
