//! Recognising backing-service locators in literals: service URLs and `host:port` pairs.

use crate::rules::common::find_urls;

/// Schemes of backing services.
pub const SERVICE_SCHEMES: &[&str] = &[
    "postgres",
    "postgresql",
    "mysql",
    "mariadb",
    "mongodb",
    "mongodb+srv",
    "redis",
    "rediss",
    "amqp",
    "amqps",
    "nats",
    "kafka",
    "memcached",
    "smtp",
    "smtps",
    "ldap",
    "ldaps",
    "s3",
];

/// Well-known ports of backing services, with the service name.
pub const SERVICE_PORTS: &[(u16, &str)] = &[
    (5432, "PostgreSQL"),
    (3306, "MySQL"),
    (27017, "MongoDB"),
    (6379, "Redis"),
    (5672, "RabbitMQ"),
    (4222, "NATS"),
    (9092, "Kafka"),
    (11211, "memcached"),
    (1433, "SQL Server"),
    (9042, "Cassandra"),
    (9200, "Elasticsearch"),
];

/// A backing-service locator found in a literal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Locator {
    /// What service (`PostgreSQL URL`, `Redis host:port`).
    pub what: String,
}

/// Recognises a literal that locates a backing service: a URL with a service scheme and a real
/// host, or an exact `host:port` with a well-known service port.
pub fn backing_locator(value: &str) -> Option<Locator> {
    let v = value.trim();
    if let Some(url) = find_urls(v).into_iter().next() {
        if url.range.start == 0 && SERVICE_SCHEMES.contains(&url.scheme.as_str()) {
            let templated = url.host.contains('{')
                || url.host.contains('$')
                || url.host.contains('<')
                || url.host.contains('%');
            let host_ok = !url.host.is_empty()
                || url.scheme.starts_with("s3")
                || url.range.end > url.scheme.len() + 3;
            if !templated && host_ok && !v.contains("{}") {
                return Some(Locator {
                    what: format!("{} URL", url.scheme),
                });
            }
        }
        return None;
    }
    let (host, port) = v.rsplit_once(':')?;
    let port: u16 = port.parse().ok()?;
    let (_, name) = SERVICE_PORTS.iter().find(|(p, _)| *p == port)?;
    let host_ok = !host.is_empty()
        && host.len() <= 253
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    host_ok.then(|| Locator {
        what: format!("{name} address"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locators() {
        assert!(backing_locator("redis://cache:6379/0").is_some());
        assert!(backing_locator("db.internal:5432").is_some());
        assert!(backing_locator("postgres://{}:{}@{}/{}").is_none());
        assert!(backing_locator("https://example.com").is_none());
        assert!(backing_locator("redis://").is_none());
        assert!(backing_locator("0.0.0.0:8080").is_none());
    }
}
