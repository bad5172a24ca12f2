//! Factor VI, Processes: processes are stateless and share nothing; state lives in backing
//! services.

pub mod in_memory_session_store;
pub mod local_filesystem_persistence;
pub mod process_local_state;
pub mod sticky_sessions;
