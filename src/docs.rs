//! The rule reference: one Markdown page per rule and an index by factor, generated from the
//! rules' own documentation. `tests/meta.rs` fails when the committed pages are stale; the same
//! text backs `twelve-check explain`.

use crate::registry::RuleId;
use crate::rule::{Factor, RuleMeta};

/// The page of one rule.
pub fn rule_page(meta: &RuleMeta) -> String {
    let status = if meta.preview { "preview" } else { "stable" };
    format!(
        "# {name} ({code})\n\n\
         | factor | default severity | status | since |\n\
         |---|---|---|---|\n\
         | [{title}]({url}) | {sev} | {status} | {since} |\n\n\
         {docs}\n\
         {options}\
         ## Suppressing\n\n\
         On the line or the line above: `twelve-check: ignore[{code}] reason` in a comment\n\
         (`//` in Rust, `#` elsewhere); for a whole file: `twelve-check: ignore-file[{code}]`.\n\n\
         Source: [`{src}`](../{src})\n",
        name = meta.name,
        code = meta.code,
        title = meta.factor.title(),
        url = meta.factor.url(),
        sev = meta.severity,
        since = meta.since,
        docs = meta.documentation(),
        options = options_section(meta),
        src = meta.source_path(),
    )
}

/// The `## Options` section of a rule page: each option with its type, default and meaning, and
/// how to set it.
fn options_section(meta: &RuleMeta) -> String {
    let Some(id) = RuleId::lookup(meta.code) else {
        return String::new();
    };
    let options = id.rule().options();
    if options.is_empty() {
        return String::new();
    }
    let mut out = String::from("## Options\n\n");
    for o in options {
        out.push_str(&format!(
            "- `{}` ({}, default `{}`): {}\n",
            o.name,
            o.kind.describe(),
            o.default,
            o.doc
        ));
    }
    out.push_str(&format!("\n```toml\n[rules.{}]\n", meta.name));
    for o in options {
        out.push_str(&format!("{} = {}\n", o.name, o.default));
    }
    out.push_str("```\n\n");
    out
}

/// The index page, grouped by factor.
pub fn index_page() -> String {
    let mut out = String::from(
        "# twelve-check rules\n\n\
         Generated from the rules' documentation; do not edit. Regenerate with\n\
         `UPDATE_RULE_PAGES=1 cargo test --test meta`.\n",
    );
    for factor in std::iter::once(Factor::Meta).chain(Factor::TWELVE) {
        let rules: Vec<_> = RuleId::ALL
            .iter()
            .filter(|r| r.meta().factor == factor)
            .collect();
        out.push_str(&format!("\n## {}\n\n", factor.title()));
        if rules.is_empty() {
            out.push_str("No rule yet.\n");
            continue;
        }
        out.push_str("| code | name | severity | summary |\n|---|---|---|---|\n");
        for r in rules {
            let m = r.meta();
            let preview = if m.preview { " (preview)" } else { "" };
            out.push_str(&format!(
                "| [{}]({}-{}.md) | {} | {}{} | {} |\n",
                m.code,
                m.code,
                m.name,
                m.name,
                m.severity,
                preview,
                m.summary().replace('|', "\\|")
            ));
        }
    }
    out
}

/// Every generated file: (path relative to the repository root, contents).
pub fn generated_files() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = RuleId::ALL
        .iter()
        .map(|r| (r.meta().page_path(), rule_page(r.meta())))
        .collect();
    files.push(("rules/README.md".into(), index_page()));
    files
}
