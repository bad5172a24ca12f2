//! Factor VII, Port binding: the app is self-contained and exports its service by binding a port it is told.

pub mod hardcoded_listen_port;
pub mod inconsistent_port;
pub mod loopback_bind_in_container;
pub mod procfile_port_not_from_env;
