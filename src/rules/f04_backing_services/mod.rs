//! Factor IV, Backing services: databases, queues and caches are attached resources located
//! by config, never by code.

pub mod backing_service_fallback;
pub mod hardcoded_backing_service;
pub mod locator;
