//! Factor VIII, Concurrency: scale out through the process model; the platform manages processes.

pub mod multiple_processes_per_container;
pub mod self_daemonizing;
