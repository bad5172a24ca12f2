//! Factor VIII, Concurrency: scale out through the process model; the platform manages processes.

pub mod self_daemonizing;
