//! Factor II, Dependencies: every dependency is declared and the resolution is pinned.

pub mod missing_lockfile;
pub mod undeclared_system_tool;
