//! Helm's release actions on a Kubernetes API server: the [`client::Client`] (kube-rs), the
//! actions' sequencing ([`actions`]), what they do to objects (apply, ownership, waiting,
//! hooks: [`resources`]), where records are stored ([`storage`]) and what they report while
//! they run ([`progress`]).

pub mod actions;
pub mod client;
pub mod progress;
pub mod resources;
pub mod storage;
