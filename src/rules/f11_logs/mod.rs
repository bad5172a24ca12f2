//! Factor XI, Logs: an app writes its event stream, unbuffered, to stdout; routing and storage
//! are the environment's job.

pub mod committed_log_file;
pub mod log_to_file;
pub mod logging_backend_coupling;
pub mod unstructured_logs;
