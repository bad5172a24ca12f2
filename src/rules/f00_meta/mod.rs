//! Meta rules (`TC00xx`): the tool's own findings. They always run and cannot be suppressed
//! inline; the engine reports them, these files hold their metadata and documentation.

pub mod unknown_rule_selector;
pub mod unparsable_file;
pub mod unused_suppression;
