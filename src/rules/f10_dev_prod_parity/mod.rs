//! Factor X, Dev/prod parity: the same backing services, in the same versions, everywhere.

pub mod divergent_backing_services;
