//! Factor I, Codebase: one codebase tracked in revision control, many deploys.

pub mod dependency_outside_repository;
pub mod multiple_apps_in_codebase;
pub mod not_version_controlled;
