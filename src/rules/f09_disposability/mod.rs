//! Factor IX, Disposability: fast start-up and graceful shutdown on SIGTERM.

pub mod missing_sigterm_handling;
