//! Factor III, Config: configuration belongs in the environment, not in the code or the image.

pub mod committed_env_file;
pub mod credentials_in_url;
pub mod environment_name_branching;
pub mod hardcoded_secret;
