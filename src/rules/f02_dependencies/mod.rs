//! Factor II, Dependencies: every dependency is declared and the resolution is pinned.

pub mod lockfile_gitignored;
pub mod missing_lockfile;
pub mod remote_script_execution;
pub mod undeclared_system_tool;
pub mod unpinned_base_image;
pub mod unpinned_dependency;
