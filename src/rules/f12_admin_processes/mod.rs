//! Factor XII, Admin processes: one-off tasks run as separate processes against the same release.

pub mod migrations_at_startup;
pub mod ssh_in_container;
