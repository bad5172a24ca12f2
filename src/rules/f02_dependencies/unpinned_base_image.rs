//! TC0204: a Dockerfile base image without a fixed tag.

use crate::rule::prelude::*;
use crate::source::dockerfile::split_image;

declare_rule! {
    /// ## What it does
    /// Flags a Dockerfile `FROM` whose image has no tag (`FROM rust`, which means `:latest`) or
    /// the `latest` tag (`FROM node:latest`), in any stage. Global `ARG` defaults are
    /// substituted first: `ARG BASE=alpine` + `FROM ${BASE}` is flagged, and the message names
    /// the `ARG` whose default is unpinned.
    ///
    /// Not flagged: `scratch`; a `FROM` naming an earlier build stage (`FROM builder`); an image
    /// pinned by digest (`rust@sha256:...`, with or without a tag); tags that merely contain
    /// `latest` (`latest-1.80`, `1.80-latest`); a registry port is not a tag
    /// (`registry:5000/app` has no tag and is flagged); and an image or tag from an `ARG` with no
    /// default (`ARG IMAGE` + `FROM ${IMAGE}`): its value is given at build time and cannot be
    /// judged here. `--platform=$BUILDPLATFORM` and other `FROM` flags play no part. Floating
    /// version tags (`node:lts`, `python:3`, `rust:slim`) are not flagged either: they name a
    /// release line on purpose; pin a digest when the build must be exactly repeatable.
    /// Development images (`Dockerfile.dev`, `Dockerfile.devcontainer`, `.devcontainer/`) are not
    /// checked: they are never released.
    ///
    /// Other files consulted: none; only the Dockerfile itself (its global `ARG`s and stage
    /// names). Images in compose files and Kubernetes manifests are the concern of
    /// `mutable-release-image` (TC0502).
    ///
    /// ## Measured
    /// On the real-world corpus (`benches/realworld/`, 26 repositories, 2026-12-03): 18 findings,
    /// 18 right, 0 wrong, 0 debatable; verdict precision 1.00.
    ///
    /// ## Why is this bad?
    /// Factor II: a twelve-factor app declares all dependencies completely and exactly. The base
    /// image is the biggest dependency of a container build: without a tag, two builds of the
    /// same commit pull whatever `latest` is that day, with a different compiler, libc or OS,
    /// and a build that worked yesterday breaks (or silently changes) today.
    ///
    /// ## Example
    /// ```dockerfile
    /// FROM rust AS build
    /// RUN cargo build --release
    ///
    /// FROM debian:latest
    /// COPY --from=build /app/target/release/shop /usr/local/bin/shop
    /// ```
    ///
    /// Use instead:
    /// ```dockerfile
    /// FROM rust:1.80-slim-bookworm AS build
    /// RUN cargo build --release
    ///
    /// FROM debian:bookworm-slim
    /// COPY --from=build /app/target/release/shop /usr/local/bin/shop
    /// ```
    ///
    /// ## References
    /// - <https://12factor.net/dependencies>
    /// - <https://github.com/hadolint/hadolint/wiki/DL3006> and
    ///   <https://github.com/hadolint/hadolint/wiki/DL3007>
    /// - <https://docs.docker.com/build/building/best-practices/#pin-base-image-versions>
    pub UnpinnedBaseImage {
        code: "TC0204", name: "unpinned-base-image",
        factor: Dependencies, severity: Warning, preview: false, since: "0.2.0",
    }
}

/// What is wrong with an image reference, if anything: `Some(true)` for no tag, `Some(false)`
/// for `:latest`.
fn unpinned(image: &str) -> Option<bool> {
    let (name, tag, digest) = split_image(image);
    if digest.is_some() || name.is_empty() || name.eq_ignore_ascii_case("scratch") {
        return None;
    }
    match tag {
        None => Some(true),
        Some(t) if t.eq_ignore_ascii_case("latest") => Some(false),
        _ => None,
    }
}

/// The global `ARG` names an image reference uses (`${BASE}`, `$TAG`).
fn arg_names(image: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = image;
    while let Some(i) = rest.find('$') {
        let after = &rest[i + 1..];
        let (name, len) = if let Some(body) = after.strip_prefix('{') {
            let end = body.find('}').unwrap_or(body.len());
            let inner = &body[..end];
            let n = inner.split([':', '-']).next().unwrap_or(inner);
            (n, (end + 2).min(after.len()))
        } else {
            let end = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(after.len());
            (&after[..end], end)
        };
        if !name.is_empty() {
            out.push(name);
        }
        rest = &after[len..];
    }
    out
}

impl Rule for UnpinnedBaseImage {
    fn inputs(&self) -> Inputs {
        Inputs {
            dockerfile: true,
            ..Inputs::default()
        }
    }

    fn check_dockerfile(&self, file: &DockerFile, cx: &mut RuleCtx<'_>) {
        // A developer's image (`Dockerfile.dev`, `Dockerfile.devcontainer`) is never released.
        if crate::source::development_file(cx.path()) {
            return;
        }
        for stage in file.stages() {
            // `FROM builder`: an earlier stage, not an image.
            if stage.parent.is_some() {
                continue;
            }
            // `FROM ${IMAGE}` with no default: given at build time, not judged here.
            let Some(resolved) = stage.resolved.as_deref() else {
                continue;
            };
            let Some(no_tag) = unpinned(resolved) else {
                continue;
            };
            let (name, _, _) = split_image(resolved);
            let what = if no_tag {
                format!("base image `{name}` has no tag, so it means `{name}:latest`")
            } else {
                format!("base image `{resolved}` uses the `latest` tag")
            };
            let via = if resolved != stage.image {
                let args = arg_names(stage.image);
                match args.as_slice() {
                    [] => String::new(),
                    [one] => format!(" (from the default of `ARG {one}`)"),
                    many => format!(" (from the defaults of `ARG {}`)", many.join("`, `ARG ")),
                }
            } else {
                String::new()
            };
            let message = format!(
                "{what}{via}: each build pulls whatever that tag points to on the day; pin a version tag or a digest"
            );
            cx.report(
                Violation::new(stage.image_span.clone(), message)
                    .label(if no_tag { "no tag" } else { "`latest` tag" })
                    .help(format!(
                        "name a version, e.g. `{name}:<version>`, or pin a digest (`{name}:<version>@sha256:...`)"
                    )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        assert_eq!(unpinned("rust"), Some(true));
        assert_eq!(unpinned("rust:latest"), Some(false));
        assert_eq!(unpinned("registry:5000/team/app"), Some(true));
        assert_eq!(unpinned("rust:1.80-slim"), None);
        assert_eq!(unpinned("rust:latest-1.80"), None);
        assert_eq!(unpinned("rust:1.80-latest"), None);
        assert_eq!(unpinned("rust@sha256:abc"), None);
        assert_eq!(unpinned("rust:latest@sha256:abc"), None);
        assert_eq!(unpinned("scratch"), None);
        assert_eq!(unpinned("SCRATCH"), None);
    }

    #[test]
    fn args() {
        assert_eq!(arg_names("${BASE}:${TAG:-1}"), ["BASE", "TAG"]);
        assert_eq!(arg_names("$IMAGE"), ["IMAGE"]);
        assert!(arg_names("rust:1.80").is_empty());
    }
}
