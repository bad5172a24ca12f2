#!/usr/bin/env python3
"""Deterministic synthetic deployment tree for the twelve-check benchmark.

Usage: gen_deploy.py OUT_DIR [SERVICES]

Writes OUT_DIR/svc-NNN/ for NNN in 0..SERVICES (default 300), each with a multi-stage
Dockerfile, docker-compose.yml, k8s/deployment.yaml + k8s/service.yaml, a Procfile, an
nginx.conf, a .env and a tiny Rust service (Cargo.toml, src/main.rs; a Cargo.lock for half of
them). Every choice is a function of the service index: no randomness, no clock, so the same
arguments always give byte-identical files. Some services carry deliberate twelve-factor
violations (unpinned images, shell-form CMD, curl | sh, build tools in the runtime stage,
sleep before start, sshd, credentials in URLs, hard-coded ports, sticky sessions, log files,
migrations at start-up), so the non-Rust parsers and the cross-file rules have work to do.
The values are obviously fake; none has the shape of a real provider key.
"""

import os
import sys

FRAMEWORKS = ["axum", "actix-web", "warp", "rocket", "worker"]
DBS = ["postgres", "mysql", "redis", "mongo"]


def every(i, n):
    """True for one service in n (offset so violations do not all land on svc-000)."""
    return (i + 1) % n == 0


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def dockerfile(i, name):
    builder = "rust:latest" if every(i, 6) else ("rust" if every(i, 19) else "rust:1.82-slim-bookworm")
    runtime = "debian:bookworm-slim" if not every(i, 8) else "debian"
    lines = [
        "# syntax=docker/dockerfile:1",
        f"ARG RUST_IMAGE={builder}",
        "FROM ${RUST_IMAGE} AS build",
        "WORKDIR /src",
        "COPY Cargo.toml ./",
        "COPY src ./src",
        "RUN cargo build --release --locked",
        "",
        f"FROM {runtime}",
    ]
    pkgs = "ca-certificates"
    if every(i, 4):
        pkgs += " imagemagick"
    if every(i, 13):
        pkgs += " openssh-server"
    if every(i, 10):
        pkgs += " build-essential cargo"
    lines.append(
        f"RUN apt-get update && apt-get install -y --no-install-recommends {pkgs} "
        "&& rm -rf /var/lib/apt/lists/*"
    )
    if every(i, 7):
        lines.append("RUN curl -fsSL https://install.example.invalid/agent.sh | sh")
    lines.append(f"COPY --from=build /src/target/release/{name} /usr/local/bin/{name}")
    if every(i, 9):
        lines.append("COPY docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh")
    lines.append("USER 65534")
    lines.append("EXPOSE 8080")
    if every(i, 9):
        lines.append('ENTRYPOINT ["/usr/local/bin/docker-entrypoint.sh"]')
        lines.append(f'CMD ["{name}"]')
    elif every(i, 5):
        lines.append(f"CMD {name} --port 8080")
    elif every(i, 11):
        lines.append(f'CMD ["sh", "-c", "sleep 10 && {name}"]')
    elif every(i, 13):
        lines.append(f'CMD ["sh", "-c", "/usr/sbin/sshd && exec {name}"]')
    elif every(i, 12):
        lines.append(f'CMD ["sh", "-c", "{name} migrate && exec {name} serve"]')
    else:
        lines.append(f'CMD ["{name}", "serve"]')
    return "\n".join(lines) + "\n"


def entrypoint(i, name):
    body = ["#!/bin/sh", "set -eu"]
    if every(i, 2):
        body.append(f"{name} migrate")
    if every(i, 3):
        body.append("git pull --ff-only || true")
    body.append('exec "$@"')
    return "\n".join(body) + "\n"


def compose(i, name):
    db = DBS[i % len(DBS)]
    tag = "latest" if every(i, 5) else {"postgres": "16.4", "mysql": "8.4", "redis": "7.4", "mongo": "7.0"}[db]
    url = {
        "postgres": "postgres://app:app-dev-password@db:5432/app",
        "mysql": "mysql://app:app-dev-password@db:3306/app",
        "redis": "redis://db:6379/0",
        "mongo": "mongodb://app:app-dev-password@db:27017/app",
    }[db]
    image = {"postgres": "postgres", "mysql": "mysql", "redis": "redis", "mongo": "mongo"}[db]
    env_url = url if every(i, 3) else "${DATABASE_URL}"
    port = "8080:8080" if not every(i, 7) else "80:8080"
    return f"""services:
  {name}:
    build: .
    image: registry.example.com/{name}:1.{i}.0
    ports:
      - "{port}"
    environment:
      PORT: "8080"
      RUST_LOG: info
      DATABASE_URL: "{env_url}"
    depends_on:
      - db
    command: ["{name}", "serve"]
  db:
    image: {image}:{tag}
    volumes:
      - db-data:/var/lib/data
volumes:
  db-data: {{}}
"""


def deployment(i, name):
    db = DBS[i % len(DBS)]
    # dev/prod divergence: the cluster runs a different backing service for one in ten
    cluster_db = "sqlite" if every(i, 10) else db
    image_tag = "latest" if every(i, 4) else f"1.{i}.0"
    init = ""
    if every(i, 6):
        init = f"""      initContainers:
        - name: migrate
          image: registry.example.com/{name}:{image_tag}
          args: ["migrate"]
"""
    cmd = f'["{name}", "serve", "--port", "8080"]' if every(i, 8) else f'["{name}", "serve"]'
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
  labels:
    app: {name}
spec:
  replicas: {1 + i % 4}
  selector:
    matchLabels:
      app: {name}
  template:
    metadata:
      labels:
        app: {name}
    spec:
{init}      containers:
        - name: {name}
          image: registry.example.com/{name}:{image_tag}
          command: {cmd}
          ports:
            - containerPort: 8080
          env:
            - name: PORT
              value: "8080"
            - name: BACKING
              value: "{cluster_db}"
            - name: DATABASE_URL
              valueFrom:
                secretKeyRef:
                  name: {name}-db
                  key: url
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: {name}-config
data:
  LOG_LEVEL: info
  FEATURE_FLAGS: "a,b,c"
"""


def service(i, name):
    affinity = "  sessionAffinity: ClientIP\n" if every(i, 15) else ""
    return f"""apiVersion: v1
kind: Service
metadata:
  name: {name}
spec:
  selector:
    app: {name}
{affinity}  ports:
    - name: http
      port: 80
      targetPort: 8080
"""


def procfile(i, name):
    web = f"web: {name} serve --port $PORT" if not every(i, 4) else f"web: {name} serve --port 5000"
    lines = [web]
    if every(i, 3):
        lines.append(f"release: {name} migrate")
    if every(i, 2):
        lines.append(f"worker: {name} worker --queue default")
    if every(i, 14):
        lines.append(f"clock: {name} daemon --pidfile /var/run/{name}.pid")
    return "\n".join(lines) + "\n"


def nginx(i, name):
    balance = ""
    if every(i, 9):
        balance = "    ip_hash;\n"
    elif every(i, 17):
        balance = "    sticky cookie srv_id expires=1h path=/;\n"
    log = "    access_log /var/log/nginx/access.log;\n" if every(i, 5) else "    access_log /dev/stdout;\n"
    return f"""worker_processes auto;
events {{ worker_connections 1024; }}
http {{
  upstream {name} {{
{balance}    server {name}-0.internal:8080;
    server {name}-1.internal:8080;
  }}
  server {{
    listen 80;
    server_name {name}.example.com;
{log}    location / {{
      proxy_pass http://{name};
      proxy_set_header Host $host;
    }}
  }}
}}
"""


def dotenv(i, name):
    lines = [
        "PORT=8080",
        "RUST_LOG=info",
        f"APP_NAME={name}",
    ]
    if every(i, 2):
        lines.append(f"DATABASE_URL=postgres://app:dev-password-{i:03d}@localhost:5432/{name}")
    if every(i, 3):
        lines.append(f"SESSION_SECRET=not-a-real-secret-{i:03d}-0123456789abcdef")
    return "\n".join(lines) + "\n"


def cargo_toml(i, name):
    fw = FRAMEWORKS[i % len(FRAMEWORKS)]
    deps = {
        "axum": 'axum = "0.8"\ntokio = { version = "1", features = ["full"] }\n',
        "actix-web": 'actix-web = "4"\n',
        "warp": 'warp = "0.4"\ntokio = { version = "1", features = ["full"] }\n',
        "rocket": 'rocket = "0.5"\n',
        "worker": 'tokio = { version = "1", features = ["full"] }\n',
    }[fw]
    extra = 'tracing = "0.1"\ntracing-subscriber = "0.3"\n'
    if every(i, 5):
        extra += 'tracing-appender = "0.2"\n'
    if every(i, 4):
        extra += 'sqlx = { version = "0.8", features = ["postgres", "runtime-tokio"] }\n'
    if every(i, 16):
        extra += 'log = "*"\n'
    return f"""[package]
name = "{name}"
version = "1.{i}.0"
edition = "2021"

[dependencies]
{deps}{extra}"""


def cargo_lock(i, name):
    return f"""# This file is automatically @generated by Cargo.
# It is not intended for manual editing.
version = 4

[[package]]
name = "{name}"
version = "1.{i}.0"
"""


def main_rs(i, name):
    fw = FRAMEWORKS[i % len(FRAMEWORKS)]
    port = '"0.0.0.0:8080"' if every(i, 3) else 'format!("0.0.0.0:{}", std::env::var("PORT").unwrap_or_else(|_| "8080".into()))'
    if every(i, 7):
        port = '"127.0.0.1:8080"'
    pre = []
    if every(i, 4):
        pre.append('    let _thumb = std::process::Command::new("convert").arg("in.png").arg("out.png").status();')
    if every(i, 5):
        pre.append('    let appender = tracing_appender::rolling::daily("/var/log/app", "app.log");')
        pre.append("    tracing_subscriber::fmt().with_writer(appender).init();")
    else:
        pre.append("    tracing_subscriber::fmt().json().init();")
    if every(i, 4):
        pre.append('    let db = std::env::var("DATABASE_URL").unwrap_or_else(|_| "postgres://app:app@db.internal:5432/app".into());')
        pre.append('    let _ = db;')
    if every(i, 6):
        pre.append('    if std::env::var("APP_ENV").as_deref() == Ok("production") { tracing::info!("prod"); }')
    if every(i, 12):
        pre.append("    migrate();")
    if every(i, 8):
        pre.append('    std::fs::write("/tmp/uploads/last", b"started").ok();')
    state = ""
    if every(i, 3):
        state = (
            "static SESSIONS: std::sync::Mutex<Vec<(String, String)>> = std::sync::Mutex::new(Vec::new());\n\n"
        )
    shutdown = ""
    if not every(i, 2):
        shutdown = (
            "\nasync fn shutdown_signal() {\n"
            "    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).unwrap();\n"
            "    term.recv().await;\n"
            "}\n"
        )
    body = "\n".join(pre)
    if fw == "axum":
        serve = f"""    let app = axum::Router::new().route("/", axum::routing::get(|| async {{ "ok" }}));
    let listener = tokio::net::TcpListener::bind({port}).await.unwrap();
    axum::serve(listener, app){'.with_graceful_shutdown(shutdown_signal())' if shutdown else ''}.await.unwrap();"""
        head = "#[tokio::main]\nasync fn main() {"
    elif fw == "actix-web":
        serve = f"""    actix_web::HttpServer::new(|| actix_web::App::new())
        .bind({port})
        .unwrap()
        .run()
        .await
        .unwrap();"""
        head = "#[actix_web::main]\nasync fn main() {"
        shutdown = ""
    elif fw == "warp":
        serve = f"""    let routes = warp::any().map(|| "ok");
    let addr: std::net::SocketAddr = {port}.parse().unwrap();
    warp::serve(routes).run(addr).await;"""
        head = "#[tokio::main]\nasync fn main() {"
    elif fw == "rocket":
        serve = """    let _ = rocket::build().launch().await;"""
        head = "#[rocket::main]\nasync fn main() {"
        shutdown = ""
    else:
        serve = """    loop {
        tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        tracing::info!(queue = "default", "polling");
    }"""
        head = "#[tokio::main]\nasync fn main() {"
    migrate = ""
    if every(i, 12):
        migrate = "\nfn migrate() {\n    tracing::info!(\"running migrations\");\n}\n"
    return f"""//! {name}: synthetic service generated by benches/gen_deploy.py (benchmark input).

{state}{head}
{body}
{serve}
}}
{shutdown}{migrate}"""


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: gen_deploy.py OUT_DIR [SERVICES]")
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    for i in range(n):
        name = f"svc-{i:03d}"
        d = os.path.join(out, name)
        write(os.path.join(d, "Dockerfile"), dockerfile(i, name))
        if every(i, 9):
            write(os.path.join(d, "docker-entrypoint.sh"), entrypoint(i, name))
        write(os.path.join(d, "docker-compose.yml"), compose(i, name))
        write(os.path.join(d, "k8s", "deployment.yaml"), deployment(i, name))
        write(os.path.join(d, "k8s", "service.yaml"), service(i, name))
        write(os.path.join(d, "Procfile"), procfile(i, name))
        write(os.path.join(d, "nginx.conf"), nginx(i, name))
        write(os.path.join(d, ".env"), dotenv(i, name))
        write(os.path.join(d, "Cargo.toml"), cargo_toml(i, name))
        if every(i, 2):
            write(os.path.join(d, "Cargo.lock"), cargo_lock(i, name))
        write(os.path.join(d, "src", "main.rs"), main_rs(i, name))
    print(f"generated {n} services in {out}")


if __name__ == "__main__":
    main()
