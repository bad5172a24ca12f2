//! Recognising backing-service locators in literals: service URLs and `host:port` pairs.

use crate::rules::common::find_urls;

/// Schemes of backing services.
pub const SERVICE_SCHEMES: &[&str] = &[
    "postgres",
    "postgresql",
    "mysql",
    "mariadb",
    "mssql",
    "sqlserver",
    "mongodb",
    "mongodb+srv",
    "redis",
    "rediss",
    "amqp",
    "amqps",
    "nats",
    "kafka",
    "pulsar",
    "pulsar+ssl",
    "mqtt",
    "mqtts",
    "memcached",
    "memcache",
    "smtp",
    "smtps",
    "ldap",
    "ldaps",
    "neo4j",
    "neo4j+s",
    "bolt",
    "s3",
    "gs",
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
    (6650, "Pulsar"),
    (1883, "MQTT"),
    (7687, "Neo4j"),
];

/// A backing-service locator found in a literal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Locator {
    /// What service (`PostgreSQL URL`, `Redis host:port`).
    pub what: String,
    /// The hosts it names, lower-case.
    pub hosts: Vec<String>,
}

/// Whether text holds a template placeholder: `{}`, `{host}`, `${HOST}`, `%s`, `<host>`.
fn templated(s: &str) -> bool {
    s.contains('{') || s.contains('$') || s.contains('<') || s.contains("%s")
}

/// Whether a host is a wildcard listen address, never a service to connect to.
fn wildcard_host(host: &str) -> bool {
    matches!(host, "0.0.0.0" | "[::]" | "::" | "*")
}

/// Recognises a literal that locates a backing service: a URL with a service scheme and a real
/// host (or an `http(s)` URL on a service port, such as Elasticsearch's 9200), or an exact
/// `host:port` (or comma-separated list of them) with a well-known service port.
///
/// The literal must be the locator and nothing else: messages that mention a URL, format
/// templates, bare schemes (`"redis://"`) and wildcard listen addresses are not locators.
pub fn backing_locator(value: &str) -> Option<Locator> {
    let v = value.trim();
    if v.is_empty() || v.len() > 2048 || templated(v) {
        return None;
    }
    if v.contains("://") {
        let url = find_urls(v).into_iter().next()?;
        if url.range.start != 0 || url.range.end != v.len() {
            return None;
        }
        let scheme = url.scheme.as_str();
        if SERVICE_SCHEMES.contains(&scheme) {
            let host_ok = !url.host.is_empty() || url.range.end > scheme.len() + 3;
            if host_ok && !wildcard_host(url.host) {
                return Some(Locator {
                    what: format!("{scheme} URL"),
                    hosts: vec![url.host.to_ascii_lowercase()],
                });
            }
            return None;
        }
        if scheme == "http" || scheme == "https" {
            // `http://localhost:9200`: a service spoken over HTTP on its well-known port.
            let rest = &v[scheme.len() + 3..];
            let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
            let authority = authority.rsplit('@').next().unwrap_or(authority);
            let (host, port) = authority.rsplit_once(':')?;
            let port: u16 = port.parse().ok()?;
            let (_, name) = SERVICE_PORTS
                .iter()
                .find(|(p, _)| *p == port && matches!(*p, 9200 | 7687))?;
            return Some(Locator {
                what: format!("{name} URL"),
                hosts: vec![host.to_ascii_lowercase()],
            });
        }
        return None;
    }
    // `host:port` or `host1:port,host2:port` (Kafka bootstrap servers, Redis/NATS clusters).
    let mut found = None;
    let mut hosts = Vec::new();
    for part in v.split(',') {
        let part = part.trim();
        let (host, port) = part.rsplit_once(':')?;
        let port: u16 = port.parse().ok()?;
        let host = host.trim_start_matches('[').trim_end_matches(']');
        let host_ok = !host.is_empty()
            && host.len() <= 253
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'))
            && host.chars().any(|c| c.is_ascii_alphanumeric());
        if !host_ok || wildcard_host(host) || host == "::" {
            return None;
        }
        hosts.push(host.to_ascii_lowercase());
        if let Some((_, name)) = SERVICE_PORTS.iter().find(|(p, _)| *p == port) {
            found.get_or_insert(*name);
        }
    }
    found.map(|name| Locator {
        what: format!("{name} address"),
        hosts,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn what(v: &str) -> Option<String> {
        backing_locator(v).map(|l| l.what)
    }

    #[test]
    fn service_urls() {
        for url in [
            "postgres://u@db/app",
            "postgresql://db:5432/app",
            "mysql://root@localhost/app",
            "mariadb://db/app",
            "mongodb://mongo:27017",
            "mongodb+srv://cluster0.example.net/app",
            "redis://cache:6379/0",
            "rediss://cache.example.com",
            "amqp://guest@rabbit:5672/%2f",
            "amqps://mq.example.com",
            "nats://nats:4222",
            "kafka://broker:9092",
            "memcached://cache:11211",
            "smtp://mail.example.com:25",
            "smtps://smtp.gmail.com:465",
            "ldap://ldap.example.com",
            "ldaps://ldap.example.com",
            "s3://my-bucket/prefix",
            "postgres:///app",
        ] {
            assert!(what(url).is_some(), "{url}");
        }
        assert_eq!(what("redis://cache:6379/0").as_deref(), Some("redis URL"));
        assert_eq!(
            what("http://localhost:9200").as_deref(),
            Some("Elasticsearch URL")
        );
    }

    #[test]
    fn host_ports() {
        assert_eq!(
            what("db.internal:5432").as_deref(),
            Some("PostgreSQL address")
        );
        assert_eq!(
            what("kafka-1:9092,kafka-2:9092").as_deref(),
            Some("Kafka address")
        );
        assert!(what("[::1]:6379").is_some());
        assert!(what("0.0.0.0:6379").is_none());
        assert!(what("0.0.0.0:8080").is_none());
        assert!(what("localhost:8080").is_none());
        assert!(what("a:b:5432x").is_none());
    }

    #[test]
    fn not_locators() {
        for v in [
            "postgres://{}:{}@{}/{}",
            "redis://{host}:6379",
            "postgres://user:pass@localhost/{db}",
            "redis://${REDIS_HOST}",
            "https://example.com",
            "https://example.com:5432",
            "redis://",
            "postgres://",
            "connect to redis://localhost:6379",
            "redis://localhost:6379 is unreachable",
            "redis://0.0.0.0:6379",
            "",
        ] {
            assert!(what(v).is_none(), "{v}");
        }
    }
}
