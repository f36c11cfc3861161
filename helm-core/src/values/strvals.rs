//! strvals (not yet written).
