//! gofmt (not yet written).
