//! Factor IX, Disposability: fast start-up and graceful shutdown on SIGTERM.

pub mod missing_sigterm_handling;
pub mod shell_form_entrypoint;
pub mod startup_sleep;
