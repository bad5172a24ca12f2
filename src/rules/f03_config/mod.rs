//! Factor III, Config: configuration belongs in the environment, not in the code or the image.

pub mod credentials_in_url;
pub mod hardcoded_secret;
