//! YAML (not yet written).
