//! Helm's release actions on a cluster: what the actions need from one ([`backend::Cluster`]),
//! the actions' sequencing over it ([`actions`]), the Kubernetes implementation — the
//! [`client::Client`] (kube-rs), what it does to objects ([`resources`]: apply, ownership
//! metadata, waiting; [`unchanged`]: when an apply would change nothing) and where it stores
//! records ([`storage`]) — an in-memory one for tests ([`fake`]), and what actions report while
//! they run ([`progress`]).

pub mod actions;
pub mod backend;
pub mod client;
pub mod client_side;
pub mod discovery;
pub mod fake;
pub mod progress;
pub mod resources;
#[cfg(feature = "sql")]
pub mod sql;
pub mod storage;
pub mod track;
pub mod unchanged;

pub use backend::Cluster;
