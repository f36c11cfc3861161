//! The Kubernetes backend of helm-core (issue: releases). Not built yet.
pub mod repo;
