//! TC0604: load balancer session affinity.

use std::ops::Range;

use crate::rule::prelude::*;
use crate::source::compose::Text;
use crate::source::structured::Node;
use crate::source::FileKind;

declare_rule! {
    /// ## What it does
    /// Flags load balancer and proxy configuration that pins a client to one instance of the
    /// app (sticky sessions, session affinity):
    /// - nginx `upstream` blocks with `ip_hash;`, `sticky ...;` (NGINX Plus and
    ///   nginx-sticky-module), Tengine's `session_sticky;`, or `hash` on a client key
    ///   (`hash $cookie_sessionid consistent;`, `hash $remote_addr;`);
    /// - HAProxy `balance source`, a `cookie NAME insert|prefix|rewrite` persistence cookie,
    ///   `stick on|match|store-request|store-response` rules and the old `appsession`;
    /// - Kubernetes Services with `sessionAffinity: ClientIP`; Ingress and Service annotations
    ///   enabling affinity: ingress-nginx `nginx.ingress.kubernetes.io/affinity: cookie` (and
    ///   any `.../affinity: cookie` of haproxy-ingress and others), NGINX Inc's
    ///   `nginx.com/sticky-cookie-services`, Traefik `traefik.ingress.kubernetes.io/affinity`
    ///   and `.../service.sticky.cookie`, AWS Load Balancer Controller
    ///   `alb.ingress.kubernetes.io/target-group-attributes: stickiness.enabled=true`;
    /// - Traefik `IngressRoute`/`TraefikService` `sticky: cookie:`, Istio `DestinationRule`
    ///   `consistentHash` on `httpCookie` or `useSourceIp`, GKE `BackendConfig`
    ///   `sessionAffinity`, Contour `HTTPProxy` `loadBalancerPolicy: {strategy: Cookie}`;
    /// - Traefik labels on compose services (`traefik.http.services.x.loadbalancer.sticky.cookie=true`,
    ///   `...sticky.cookie.name=..`, Traefik 1 `traefik.backend.loadbalancer.sticky=true`);
    /// - Terraform: `stickiness { .. }` blocks (AWS target groups; `enabled` defaults to
    ///   `true`, so a block without it is sticky), `aws_lb_cookie_stickiness_policy` and
    ///   `aws_app_cookie_stickiness_policy`, Google `session_affinity` other than `NONE`, Azure
    ///   Application Gateway `cookie_based_affinity = "Enabled"`;
    /// - Caddyfile `lb_policy cookie`, `ip_hash` or `client_ip_hash`.
    ///
    /// Not flagged: `sessionAffinity: None`, `stickiness { enabled = false }`, values given by a
    /// variable (`enabled = var.sticky`), commented-out directives; `hash $request_uri
    /// consistent` and other hashes on the request rather than the client (they spread a
    /// cache, not sessions); HAProxy `stick-table` used only for rate limiting (`track-sc0`);
    /// `stickiness` inside an AWS listener's weighted `forward` block (it pins a client to a
    /// target group during a blue/green or canary shift, not to an instance).
    ///
    /// Other files consulted: none; each configuration is judged on its own.
    ///
    /// ## Measured
    /// On the real-world corpus (`benches/realworld/`, 26 repositories, 2026-12-03): no findings.
    ///
    /// ## Why is this bad?
    /// Factor VI: processes are stateless and share nothing; anything that must outlive a
    /// request lives in a backing service. Sticky sessions are the sign that an instance keeps
    /// session state in memory or on its disk: that state is lost when the instance restarts,
    /// is replaced by a deploy or is scaled away, load is spread unevenly, and scaling out
    /// does not relieve the busy instances.
    ///
    /// ## Example
    /// ```nginx
    /// upstream app {
    ///     ip_hash;
    ///     server app1:8080;
    ///     server app2:8080;
    /// }
    /// ```
    ///
    /// Use instead:
    /// ```nginx
    /// upstream app {
    ///     server app1:8080;   # sessions live in Redis; any instance serves any request
    ///     server app2:8080;
    /// }
    /// ```
    ///
    /// ## References
    /// - <https://12factor.net/processes>
    /// - <https://nginx.org/en/docs/http/ngx_http_upstream_module.html#ip_hash>
    /// - <https://docs.haproxy.org/2.8/configuration.html#4.2-cookie>
    /// - <https://kubernetes.io/docs/reference/networking/virtual-ips/#session-affinity>
    /// - <https://kubernetes.github.io/ingress-nginx/examples/affinity/cookie/>
    /// - <https://registry.terraform.io/providers/hashicorp/aws/latest/docs/resources/lb_target_group#stickiness>
    pub StickySessions {
        code: "TC0604", name: "sticky-sessions",
        factor: Processes, severity: Error, preview: false, since: "0.2.0",
    }
}

const HELP: &str = "remove session affinity and keep session state in a shared backing service (Redis, a database) so that any instance can serve any request";
const LABEL: &str = "clients are pinned to one instance";

fn report(cx: &mut RuleCtx<'_>, span: Range<usize>, message: String) {
    cx.report(Violation::new(span, message).label(LABEL).help(HELP));
}

/// Whether an nginx `hash` key names the client (cookie, address, session) rather than the
/// request.
fn client_key(key: &str) -> bool {
    let k = key.to_ascii_lowercase();
    k.contains("$cookie_")
        || k.contains("remote_addr")
        || k.contains("$http_x_forwarded_for")
        || k.contains("$http_x_real_ip")
        || k.contains("$realip_remote_addr")
        || k.contains("sess")
}

/// Byte ranges of the lines of a text with `#` comments (and `//` ones when `slashes`) cut,
/// keeping quoted text.
fn code_lines(text: &str, slashes: bool) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    for line in text.split_inclusive('\n') {
        let mut end = line.len();
        let bytes = line.as_bytes();
        let mut quote = None;
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            match quote {
                Some(q) if b == q => quote = None,
                Some(_) if b == b'\\' => i += 1,
                Some(_) => {}
                None if b == b'"' || b == b'\'' => quote = Some(b),
                None if b == b'\\' => i += 1,
                None if b == b'#' || (slashes && b == b'/' && bytes.get(i + 1) == Some(&b'/')) => {
                    end = i;
                    break;
                }
                None => {}
            }
            i += 1;
        }
        out.push((start, line[..end].trim_end_matches(['\n', '\r'])));
        start += line.len();
    }
    out
}

/// Whitespace-separated words of a line with their byte ranges.
fn words(base: usize, line: &str) -> Vec<(Range<usize>, &str)> {
    let mut out = Vec::new();
    let mut i = 0;
    for w in line.split(|c: char| c.is_whitespace()) {
        if !w.is_empty() {
            out.push((base + i..base + i + w.len(), w));
        }
        i += w.len() + 1;
    }
    out
}

const HAPROXY_SECTIONS: &[&str] = &[
    "global",
    "defaults",
    "frontend",
    "backend",
    "listen",
    "peers",
    "resolvers",
    "userlist",
    "program",
    "http-errors",
    "ring",
    "mailers",
    "cache",
    "aggregations",
];

fn check_haproxy(text: &str, cx: &mut RuleCtx<'_>) {
    let mut section = "";
    for (base, line) in code_lines(text, false) {
        let w = words(base, line);
        let Some((span0, first)) = w.first().cloned() else {
            continue;
        };
        if HAPROXY_SECTIONS.contains(&first) {
            section = first;
            continue;
        }
        if !matches!(section, "backend" | "listen" | "defaults") {
            continue;
        }
        let arg = |i: usize| w.get(i).map(|(_, s)| *s).unwrap_or("");
        let whole = span0.start..w.last().map_or(span0.end, |(s, _)| s.end);
        match first {
            "balance" if arg(1) == "source" => report(
                cx,
                whole,
                "`balance source` sends each client address to the same server; balance on load instead (`roundrobin`, `leastconn`)".into(),
            ),
            "cookie" if !arg(1).is_empty() => report(
                cx,
                whole,
                format!(
                    "persistence cookie `{}` pins each client to one server; remove it and keep session state in a shared store",
                    arg(1)
                ),
            ),
            "stick" if matches!(arg(1), "on" | "match" | "store-request" | "store-response") => {
                report(
                    cx,
                    whole,
                    format!(
                        "`stick {}` pins clients to the server they first reached; remove the stickiness rules",
                        arg(1)
                    ),
                )
            }
            "appsession" => report(
                cx,
                whole,
                "`appsession` pins each application session to one server; remove it".into(),
            ),
            _ => {}
        }
    }
}

fn check_caddy(text: &str, cx: &mut RuleCtx<'_>) {
    for (base, line) in code_lines(text, false) {
        let w = words(base, line);
        if let [(s0, "lb_policy"), (s1, policy), ..] = w.as_slice() {
            if matches!(*policy, "cookie" | "ip_hash" | "client_ip_hash") {
                report(
                    cx,
                    s0.start..s1.end,
                    format!(
                        "`lb_policy {policy}` pins each client to one upstream; use a policy that balances load"
                    ),
                );
            }
        }
    }
}

/// A Terraform block: its opening line's first word, where it starts and its text.
fn check_terraform(text: &str, cx: &mut RuleCtx<'_>) {
    let lines = code_lines(text, true);
    // The names of the open blocks, innermost last, with the line index they start on.
    let mut stack: Vec<(String, usize)> = Vec::new();
    for (idx, (base, line)) in lines.iter().enumerate() {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let first = trimmed
            .split(|c: char| c.is_whitespace() || c == '{' || c == '=')
            .next()
            .unwrap_or("");
        let opens = line.matches('{').count();
        let closes = line.matches('}').count();
        let span = base + indent..base + line.len();
        if first == "resource" {
            for policy in [
                "aws_lb_cookie_stickiness_policy",
                "aws_app_cookie_stickiness_policy",
            ] {
                if trimmed.contains(&format!("\"{policy}\"")) {
                    report(
                        cx,
                        span.clone(),
                        format!("`{policy}` pins each client to one instance behind the load balancer; remove the stickiness policy"),
                    );
                }
            }
        }
        if let Some((key, value)) = trimmed.split_once('=') {
            let key = key.trim();
            let value = value.trim().trim_matches('"');
            if key == "session_affinity"
                && !value.is_empty()
                && !value.eq_ignore_ascii_case("none")
                && !value.contains("var.")
                && !value.contains("local.")
                && !value.contains("${")
            {
                report(
                    cx,
                    span.clone(),
                    format!("`session_affinity = \"{value}\"` pins each client to one backend; set it to \"NONE\""),
                );
            }
            if key == "cookie_based_affinity" && value.eq_ignore_ascii_case("enabled") {
                report(
                    cx,
                    span.clone(),
                    "`cookie_based_affinity = \"Enabled\"` pins each client to one backend; set it to \"Disabled\"".into(),
                );
            }
        }
        if first == "stickiness" && opens > 0 {
            let in_forward = stack.iter().any(|(n, _)| n == "forward");
            let block = block_text(&lines, idx);
            let enabled = attr(&block, "enabled");
            let sticky = match enabled.as_deref() {
                None => true,
                Some("true") => true,
                Some(_) => false,
            };
            if sticky && !in_forward {
                let kind = attr(&block, "type").unwrap_or_default();
                let how = match kind.as_str() {
                    "lb_cookie" => " with a load balancer cookie",
                    "app_cookie" => " with an application cookie",
                    "source_ip" => " by source address",
                    _ => "",
                };
                let why = if enabled.is_none() {
                    " (`enabled` defaults to true)"
                } else {
                    ""
                };
                report(
                    cx,
                    span.clone(),
                    format!("target group stickiness{why} pins each client to one target{how}; remove the block or set `enabled = false`"),
                );
            }
        }
        for _ in 0..opens {
            stack.push((first.to_string(), idx));
        }
        for _ in 0..closes {
            stack.pop();
        }
    }
}

/// The text of the block opening on line `idx`, up to its closing brace.
fn block_text(lines: &[(usize, &str)], idx: usize) -> String {
    let mut depth = 0i32;
    let mut out = String::new();
    for (_, line) in &lines[idx..] {
        for c in line.chars() {
            match c {
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
            out.push(c);
            if depth <= 0 && c == '}' {
                return out;
            }
        }
        out.push('\n');
    }
    out
}

/// The value of `name = value` in a block's text (top level of the block only).
fn attr(block: &str, name: &str) -> Option<String> {
    let inner = block.split_once('{').map_or(block, |(_, r)| r);
    let mut depth = 0i32;
    for stmt in inner.split(['\n', ';']) {
        let here = depth;
        depth += stmt.matches('{').count() as i32 - stmt.matches('}').count() as i32;
        if here != 0 {
            continue;
        }
        let stmt = stmt.trim().trim_end_matches('}').trim();
        // One-line blocks: `stickiness { enabled = false }` (no newline before the attribute).
        let stmt = stmt.trim_start_matches('{').trim();
        if let Some((k, v)) = stmt.split_once('=') {
            if k.trim() == name {
                return Some(v.trim().trim_matches('"').to_string());
            }
        }
    }
    None
}

/// Whether a label value turns something on (`true`, or any value for name-like options).
fn truthy(v: &str) -> bool {
    !matches!(
        v.trim().to_ascii_lowercase().as_str(),
        "false" | "0" | "no" | "off"
    )
}

/// The message for a Traefik sticky label or annotation key, if it enables stickiness.
fn traefik_sticky(key: &str, value: &str) -> bool {
    let k = key.to_ascii_lowercase();
    if !k.starts_with("traefik.") {
        return false;
    }
    if k.ends_with(".sticky.cookie")
        || k.ends_with(".loadbalancer.sticky")
        || k.ends_with(".loadbalancer.stickiness")
        || k.ends_with("/service.sticky.cookie")
        || k.ends_with("/affinity")
    {
        return truthy(value);
    }
    // `...sticky.cookie.name=session`: any cookie option enables the sticky cookie.
    k.contains(".sticky.cookie.")
}

/// The message for a Kubernetes annotation enabling affinity.
fn annotation(key: &str, value: &str) -> Option<String> {
    let k = key.to_ascii_lowercase();
    let v = value.trim().to_ascii_lowercase();
    if k == "alb.ingress.kubernetes.io/target-group-attributes" {
        return v
            .split(',')
            .any(|a| a.trim().replace(' ', "") == "stickiness.enabled=true")
            .then(|| "target group attribute `stickiness.enabled=true` pins each client to one pod; remove it".to_string());
    }
    if k == "nginx.com/sticky-cookie-services" || k == "nginx.org/sticky-cookie-services" {
        return Some(format!(
            "annotation `{key}` pins each client to one pod with a cookie; remove it"
        ));
    }
    if k.starts_with("traefik.") && traefik_sticky(&k, &v) {
        return Some(format!(
            "annotation `{key}` turns on Traefik sticky sessions; remove it"
        ));
    }
    if k.ends_with("/affinity") && (v == "cookie" || v == "true" || v == "ip") {
        return Some(format!(
            "annotation `{key}: {value}` pins each client to one pod; remove it"
        ));
    }
    None
}

/// Sticky settings of custom resources (Traefik, Istio, GKE, Contour): spans and messages.
fn custom_resource(doc: &Node, out: &mut Vec<(Range<usize>, String)>) {
    let Some(kind) = doc.get("kind").and_then(|n| n.as_str()) else {
        return;
    };
    if doc.get("apiVersion").is_none() {
        return;
    }
    match kind {
        "IngressRoute" | "TraefikService" | "Middleware" => {
            walk(doc, &mut |key, value| {
                if key.name == "sticky" && value.get("cookie").is_some() {
                    out.push((
                        key.span.clone(),
                        format!(
                            "{kind} `sticky: cookie` pins each client to one server; remove it"
                        ),
                    ));
                }
            });
        }
        "DestinationRule" => walk(doc, &mut |key, value| {
            if key.name != "consistentHash" {
                return;
            }
            if value.get("httpCookie").is_some() {
                out.push((
                    key.span.clone(),
                    "DestinationRule `consistentHash.httpCookie` pins each client to one pod; remove it".into(),
                ));
            } else if value.get("useSourceIp").and_then(|n| n.as_str()) == Some("true") {
                out.push((
                    key.span.clone(),
                    "DestinationRule `consistentHash.useSourceIp` pins each client address to one pod; remove it".into(),
                ));
            }
        }),
        "BackendConfig" => {
            let affinity = doc
                .get("spec")
                .and_then(|s| s.get("sessionAffinity"))
                .and_then(|a| a.get("affinityType"));
            if let Some(Node::Scalar(t, span)) = affinity {
                if !t.eq_ignore_ascii_case("none") {
                    out.push((
                        span.clone(),
                        format!("BackendConfig session affinity `{t}` pins each client to one pod; remove it"),
                    ));
                }
            }
        }
        "HTTPProxy" => walk(doc, &mut |key, value| {
            if key.name != "loadBalancerPolicy" {
                return;
            }
            if let Some(Node::Scalar(s, span)) = value.get("strategy") {
                if s == "Cookie" || s == "RequestHash" && has_source_ip(value) {
                    out.push((
                        span.clone(),
                        format!("HTTPProxy load balancer strategy `{s}` pins each client to one pod; remove it"),
                    ));
                }
            }
        }),
        _ => {}
    }
}

fn has_source_ip(v: &Node) -> bool {
    let mut found = false;
    walk(v, &mut |k, v| {
        if k.name == "hashSourceIP" && v.as_str() == Some("true") {
            found = true;
        }
    });
    found
}

fn walk(n: &Node<'_>, f: &mut dyn FnMut(&crate::source::structured::Key<'_>, &Node<'_>)) {
    match n {
        Node::Map(kv) => {
            for (k, v) in kv {
                f(&k, &v);
                walk(&v, f);
            }
        }
        Node::Seq(items) => items.iter().for_each(|i| walk(&i, f)),
        _ => {}
    }
}

impl Rule for StickySessions {
    fn inputs(&self) -> Inputs {
        Inputs {
            text: true,
            structured: true,
            compose: true,
            k8s: true,
            nginx: true,
            ..Inputs::default()
        }
    }

    fn check_text(&self, file: &SourceFile, cx: &mut RuleCtx<'_>) {
        match file.kind {
            FileKind::Haproxy => check_haproxy(&file.text, cx),
            FileKind::Terraform => check_terraform(&file.text, cx),
            _ if file.file_name() == "Caddyfile" || file.file_name().ends_with(".caddyfile") => {
                check_caddy(&file.text, cx)
            }
            _ => {}
        }
    }

    fn check_nginx(&self, file: &NginxConf, cx: &mut RuleCtx<'_>) {
        for d in &file.directives {
            if !d.context.iter().any(|c| c == "upstream") {
                continue;
            }
            let message = match d.name.as_str() {
                "ip_hash" => {
                    "`ip_hash` sends each client address to the same upstream server; balance on load instead (the default round-robin, or `least_conn`)".to_string()
                }
                "sticky" | "session_sticky" => format!(
                    "`{}` pins each client to one upstream server; remove it",
                    d.name
                ),
                "hash" => {
                    let Some(key) = d.args.first().filter(|k| client_key(&k.text)) else {
                        continue;
                    };
                    format!(
                        "`hash {}` sends each client to the same upstream server; balance on load instead",
                        key.text
                    )
                }
                _ => continue,
            };
            report(cx, d.span.clone(), message);
        }
    }

    fn check_compose(&self, file: &ComposeFile, cx: &mut RuleCtx<'_>) {
        for s in &file.services {
            if let Some((key, t)) = s
                .labels
                .iter()
                .find(|(k, t): &&(String, Text)| traefik_sticky(k, &t.value))
            {
                report(
                    cx,
                    t.span.clone(),
                    format!(
                        "label `{key}` turns on Traefik sticky sessions for service `{}`; remove it",
                        s.name
                    ),
                );
            }
        }
    }

    fn check_k8s(&self, file: &K8sFile, cx: &mut RuleCtx<'_>) {
        for o in &file.objects {
            if let Some(a) = &o.session_affinity {
                if a.value == "ClientIP" {
                    report(
                        cx,
                        a.span.clone(),
                        format!(
                            "Service{} has `sessionAffinity: ClientIP`, which sends each client address to the same pod; remove it (the default is `None`)",
                            o.name.as_deref().map(|n| format!(" `{n}`")).unwrap_or_default()
                        ),
                    );
                }
            }
            for (key, value) in &o.annotations {
                if let Some(m) = annotation(key, &value.value) {
                    report(cx, value.span.clone(), m);
                }
            }
        }
    }

    fn check_structured(&self, file: &StructuredFile, cx: &mut RuleCtx<'_>) {
        if !matches!(file.source.kind, FileKind::Yaml | FileKind::Json) {
            return;
        }
        let mut out = Vec::new();
        for doc in file.docs() {
            custom_resource(&doc, &mut out);
        }
        for (span, message) in out {
            report(cx, span, message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_labels() {
        assert!(client_key("$cookie_jsessionid"));
        assert!(client_key("$binary_remote_addr"));
        assert!(!client_key("$request_uri"));
        assert!(traefik_sticky(
            "traefik.http.services.app.loadbalancer.sticky.cookie",
            "true"
        ));
        assert!(!traefik_sticky(
            "traefik.http.services.app.loadbalancer.sticky.cookie",
            "false"
        ));
        assert!(traefik_sticky(
            "traefik.http.services.app.loadbalancer.sticky.cookie.name",
            "sid"
        ));
        assert!(!traefik_sticky(
            "traefik.http.services.app.loadbalancer.server.port",
            "80"
        ));
        assert!(annotation(
            "alb.ingress.kubernetes.io/target-group-attributes",
            "deregistration_delay.timeout_seconds=30,stickiness.enabled=true"
        )
        .is_some());
        assert!(annotation(
            "alb.ingress.kubernetes.io/target-group-attributes",
            "stickiness.enabled=false"
        )
        .is_none());
        assert!(annotation("nginx.ingress.kubernetes.io/affinity", "cookie").is_some());
        assert!(annotation("nginx.ingress.kubernetes.io/affinity-mode", "balanced").is_none());
    }

    #[test]
    fn terraform_attrs() {
        let block = "stickiness {\n  type = \"lb_cookie\"\n  enabled = false\n}";
        assert_eq!(attr(block, "enabled").as_deref(), Some("false"));
        assert_eq!(attr(block, "type").as_deref(), Some("lb_cookie"));
        assert_eq!(
            attr("stickiness { enabled = true }", "enabled").as_deref(),
            Some("true")
        );
        assert_eq!(
            attr("stickiness {\n  type = \"source_ip\"\n}", "enabled"),
            None
        );
    }
}
