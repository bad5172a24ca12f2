//! Nesting bounds checked before a recursive parser, a tree walk or a recursive drop sees a file.
//!
//! A stack overflow aborts the whole process and cannot be caught, so every parser input is
//! measured first against one limit, `max-nesting` (the engine's setting; a configuration file can
//! only lower it):
//!
//! - Rust: [`rust_depth`] walks the token trees of proc-macro2's own lexer (the one syn parses
//!   from, iterative, and its drop is iterative too), so char literals, lifetimes, raw strings and
//!   comments cannot desynchronise it. It returns an upper bound of how deep syn, the visitors
//!   and the drop of the syntax tree recurse: each group is a level, and so is everything syn
//!   recurses on within a statement (every operator character, every expression or type keyword).
//! - YAML and JSON: the structured reader counts collection starts in saphyr's event stream
//!   (saphyr's parser is a state machine) and stops at the limit before a tree is built.
//! - TOML: [`toml_depth`] bounds the array, inline-table and dotted-key depth with one linear
//!   pass before `toml` parses it.
//! - nginx blocks are limited by `nginx::MAX_DEPTH` (100); shell `sh -c` expansion stops at 5.

use proc_macro2::{Delimiter, Spacing, TokenStream, TokenTree};

/// Keywords that start or continue an expression, type or pattern syn parses recursively.
const RUST_KEYWORDS: &[&str] = &[
    "as", "async", "await", "become", "box", "break", "const", "continue", "dyn", "else", "fn",
    "for", "if", "impl", "in", "let", "loop", "match", "move", "mut", "ref", "return", "static",
    "try", "unsafe", "where", "while", "yield",
];

/// Keywords that, first in a statement, make it end at its block's closing brace (syn's
/// `expr_early` for `if`/`match`/`while`/`for`/`loop`/`unsafe`/blocks, and items).
const BLOCK_STATEMENTS: &[&str] = &[
    "if",
    "match",
    "while",
    "for",
    "loop",
    "unsafe",
    "fn",
    "impl",
    "struct",
    "enum",
    "trait",
    "mod",
    "union",
    "macro_rules",
];

/// Tokens that may precede a block statement without making it an expression: visibility,
/// qualifiers, attributes and labels.
const STATEMENT_PREFIXES: &[&str] = &[
    "pub", "crate", "async", "const", "extern", "default", "move", "static", "safe",
];

/// Operators of two or three characters that syn nests as one level.
const JOINED_OPS: &[&str] = &[
    "..=", "...", "<<=", ">>=", "==", "!=", "<=", ">=", "->", "..", "||", "+=", "-=", "*=", "/=",
    "%=", "^=", "&=", "|=", "<<", ">>",
];

struct Frame {
    tokens: Vec<TokenTree>,
    pos: usize,
    /// Levels counted since the statement started.
    ops: usize,
    /// Open `<` (generics) in the statement: not reset by `,`.
    angles: usize,
    /// No token of the current statement seen yet, or only prefixes.
    at_start: bool,
    /// The statement ends at the next closing brace of this frame (`if`, `match`, items...).
    block_stmt: bool,
    /// Between the `|`s of closure parameters.
    in_params: bool,
    /// The last token ends an operand (so a `|` is binary, not a closure).
    prev_operand: bool,
    /// This group is the block that ends its statement in the parent frame.
    ends_statement: bool,
}

impl Frame {
    fn new(stream: TokenStream) -> Self {
        Frame {
            tokens: stream.into_iter().collect(),
            pos: 0,
            ops: 0,
            angles: 0,
            at_start: true,
            block_stmt: false,
            in_params: false,
            prev_operand: false,
            ends_statement: false,
        }
    }

    fn counted(&self) -> usize {
        self.ops + self.angles
    }
}

/// An upper bound of the recursion depth syn (and the visitors and drops after it) reaches on
/// `tokens`; stops counting once over `limit` (and returns a value over it). Linear in the
/// number of tokens, iterative.
pub fn rust_depth(tokens: &TokenStream, limit: usize) -> usize {
    let mut stack = vec![Frame::new(tokens.clone())];
    // Sum of `counted()` over the stack.
    let mut sum = 0usize;
    let mut max = 0usize;
    loop {
        let Some(top) = stack.last_mut() else {
            return max;
        };
        let Some(tt) = top.tokens.get(top.pos).cloned() else {
            sum -= top.counted();
            let ends = top.ends_statement;
            stack.pop();
            if let (true, Some(top)) = (ends, stack.last_mut()) {
                // Only now: the block's contents are nested in its statement.
                sum -= top.counted();
                top.ops = 0;
                top.angles = 0;
                top.at_start = true;
                top.block_stmt = false;
                top.prev_operand = false;
            }
            continue;
        };
        top.pos += 1;
        let before = top.counted();
        let mut push = None;
        match tt {
            TokenTree::Group(g) => {
                if top.at_start {
                    // `{ .. }` or `unsafe { .. }` first in a statement is a block statement; a
                    // bracket after `#` or `#!` is an attribute, `(crate)` after `pub` a
                    // visibility: the statement is still at its start.
                    let prev = top.pos.checked_sub(2).map(|i| &top.tokens[i]);
                    let attribute = g.delimiter() == Delimiter::Bracket
                        && matches!(prev, Some(TokenTree::Punct(p)) if p.as_char() == '#' || p.as_char() == '!');
                    let visibility = g.delimiter() == Delimiter::Parenthesis
                        && matches!(prev, Some(TokenTree::Ident(i)) if i == "pub");
                    if !attribute && !visibility {
                        top.at_start = false;
                        top.block_stmt |= g.delimiter() == Delimiter::Brace;
                    }
                }
                // A block statement ends at its brace unless `else`, a method call or `?`
                // continues it (then it is an expression like any other).
                let mut ends = false;
                if g.delimiter() == Delimiter::Brace && top.block_stmt {
                    match top.tokens.get(top.pos) {
                        Some(TokenTree::Ident(i)) if i == "else" => {}
                        Some(TokenTree::Punct(p)) if p.as_char() == '.' || p.as_char() == '?' => {
                            top.block_stmt = false;
                        }
                        _ => ends = true,
                    }
                }
                top.prev_operand = true;
                push = Some((Frame::new(g.stream()), ends));
            }
            TokenTree::Ident(i) => {
                let keyword = RUST_KEYWORDS.iter().any(|k| i == k);
                if top.at_start {
                    let next_bang = matches!(top.tokens.get(top.pos), Some(TokenTree::Punct(p)) if p.as_char() == '!');
                    if BLOCK_STATEMENTS.iter().any(|k| i == k) || (next_bang && !keyword) {
                        // `if`, `match`, an item, or a macro call statement `name! { .. }`.
                        top.block_stmt = true;
                        top.at_start = false;
                    } else if !STATEMENT_PREFIXES.iter().any(|k| i == k) {
                        top.at_start = false;
                    }
                }
                // `else if` is one level (syn nests the `if` as the `else` branch).
                let else_if = i == "if"
                    && top.pos >= 2
                    && matches!(&top.tokens[top.pos - 2], TokenTree::Ident(e) if e == "else");
                if keyword && !else_if {
                    top.ops += 1;
                }
                top.prev_operand = !keyword;
            }
            TokenTree::Literal(_) => {
                top.at_start = false;
                top.prev_operand = true;
            }
            TokenTree::Punct(p) => {
                // The whole operator: a run of joint punctuation.
                let after_hash = top.pos >= 2
                    && matches!(&top.tokens[top.pos - 2], TokenTree::Punct(q) if q.as_char() == '#');
                let mut op = String::new();
                op.push(p.as_char());
                let mut spacing = p.spacing();
                while spacing == Spacing::Joint && op.len() < 3 {
                    match top.tokens.get(top.pos) {
                        Some(TokenTree::Punct(q)) => {
                            op.push(q.as_char());
                            spacing = q.spacing();
                            top.pos += 1;
                        }
                        _ => break,
                    }
                }
                // A lifetime or label (`'a`): the quote is joint with the identifier.
                if op == "'" {
                    if let Some(TokenTree::Ident(_)) = top.tokens.get(top.pos) {
                        top.pos += 1;
                    }
                    continue;
                }
                let mut rest = op.as_str();
                let mut prev_char = if after_hash { b'#' } else { 0 };
                while !rest.is_empty() {
                    if rest.starts_with("||") && !top.prev_operand {
                        // A closure without parameters.
                        top.ops += 1;
                        top.at_start = false;
                        rest = &rest[2..];
                        continue;
                    }
                    if let Some(j) = JOINED_OPS.iter().find(|j| rest.starts_with(**j)) {
                        top.ops += 1;
                        top.at_start = false;
                        top.prev_operand = false;
                        rest = &rest[j.len()..];
                        prev_char = 0;
                        continue;
                    }
                    let c = rest.as_bytes()[0];
                    rest = &rest[1..];
                    match c {
                        b';' | b',' if top.in_params && c == b',' => {}
                        b';' | b',' => {
                            top.ops = 0;
                            if c == b';' {
                                top.angles = 0;
                            }
                            top.at_start = true;
                            top.block_stmt = false;
                        }
                        b'=' if rest.starts_with('>') => {
                            // A match arm's body starts fresh: its pattern is done.
                            rest = &rest[1..];
                            top.ops = 0;
                            top.angles = 0;
                            top.at_start = true;
                            top.block_stmt = false;
                            top.in_params = false;
                        }
                        b':' if rest.starts_with(':') => rest = &rest[1..],
                        b':' | b'#' => {}
                        // `#!` of an inner attribute.
                        b'!' if prev_char == b'#' => {}
                        b'<' => {
                            top.angles += 1;
                            top.at_start = false;
                        }
                        b'>' if top.angles > 0 => top.angles -= 1,
                        b'|' => {
                            // Closure parameters: `,` between them does not end anything.
                            if top.in_params {
                                top.in_params = false;
                            } else if !top.prev_operand {
                                top.in_params = true;
                            }
                            top.ops += 1;
                            top.at_start = false;
                        }
                        _ => {
                            top.ops += 1;
                            top.at_start = false;
                        }
                    }
                    top.prev_operand = false;
                    prev_char = c;
                }
            }
        }
        let after = top.counted();
        sum = sum - before + after;
        let level = stack.len() + sum;
        max = max.max(level);
        if let Some((mut frame, ends)) = push {
            max = max.max(level + 1);
            frame.ends_statement = ends;
            stack.push(frame);
        }
        if max > limit {
            return max;
        }
    }
}

/// An upper bound of the nesting of a TOML document: open arrays and inline tables, plus the
/// dots of the line (dotted keys and table headers nest one table per dot). One linear pass;
/// strings and comments are skipped.
pub fn toml_depth(text: &str) -> usize {
    let b = text.as_bytes();
    let mut open = 0usize;
    let mut dots = 0usize;
    let mut max = 0usize;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\n' => dots = 0,
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'"' | b'\'' => {
                let q = b[i];
                let triple = b[i..].starts_with(if q == b'"' { b"\"\"\"" } else { b"'''" });
                i += if triple { 3 } else { 1 };
                while i < b.len() {
                    if q == b'"' && b[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if b[i] == q && (!triple || b[i..].starts_with(&[q, q, q])) {
                        i += if triple { 3 } else { 1 };
                        break;
                    }
                    if b[i] == b'\n' && !triple {
                        break;
                    }
                    i += 1;
                }
                continue;
            }
            b'[' | b'{' => open += 1,
            b']' | b'}' => open = open.saturating_sub(1),
            b'.' => dots += 1,
            _ => {}
        }
        max = max.max(open + dots + 1);
        i += 1;
    }
    max
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn depth(s: &str) -> usize {
        rust_depth(&TokenStream::from_str(s).expect("lexes"), usize::MAX)
    }

    #[test]
    fn counts_what_syn_recurses_on() {
        assert!((3..=6).contains(&depth("fn f() { g(h(1)); }")));
        assert!(depth(&format!("x{}", ".f()".repeat(50))) >= 50);
        assert!(depth(&format!("let f = {}1;", "|x| ".repeat(100))) >= 100);
        assert!(depth(&format!("if a {{}}{}", " else if a {}".repeat(100))) >= 100);
        let n = 1000;
        for body in [
            format!("{}x{}", "if ".repeat(n), " {1} else {2}".repeat(n)),
            format!("{}x{}", "match ".repeat(n), " {_=>1}".repeat(n)),
            format!("{}x{}", "while ".repeat(n), " {}".repeat(n)),
            format!("{}x", "!".repeat(n)),
            format!("{}x", "&&".repeat(n)),
            format!("{}x", "- ".repeat(n)),
            format!("{}1", "return ".repeat(n)),
            format!("x{}", " as u8".repeat(n)),
            format!("match a {{_=>1}}{}", " - match a {_=>1}".repeat(n)),
        ] {
            let text = format!("fn main() {{ let x = {body}; }}");
            assert!(depth(&text) >= n, "{} for {}", depth(&text), &body[..40]);
            let stmt = format!("fn main() {{ {body}; }}");
            assert!(depth(&stmt) >= n, "{} for {}", depth(&stmt), &body[..40]);
        }
        let generics = format!("type T = {}x{};", "A<x, ".repeat(n), ">".repeat(n));
        assert!(depth(&generics) >= n);
        let closures = format!("fn main() {{ let f = {}0; }}", "|a, b| ".repeat(n));
        assert!(depth(&closures) >= n);
        let bangs = format!("fn main() {{ {}x; }}", "!".repeat(n));
        assert!(depth(&bangs) >= n);
    }

    #[test]
    fn char_literals_do_not_desynchronise_it() {
        let n = 1000;
        for hide in ["('\\'','\"')", "('\\u{4_______________1}','\"')", "'\"'"] {
            let text = format!(
                "fn main() {{ let q = {hide}; let x = {}1{}; }}",
                "(".repeat(n),
                ")".repeat(n)
            );
            assert!(depth(&text) >= n);
        }
    }

    #[test]
    fn statements_and_items_do_not_add_up() {
        let many = "fn f() -> u8 { a.b().c() + 1 }\nimpl A for B { fn g(&self) {} }\n".repeat(500);
        assert!(depth(&many) < 12, "{}", depth(&many));
        let stmts = "fn f() {\n".to_string()
            + &"    let x = a.b() + c;\n    if a && b { x() } else { y() }\n    for i in 0..n { }\n    match x { A | B => {} C => 1, _ => {} }\n".repeat(1000)
            + "}";
        assert!(depth(&stmts) < 12, "{}", depth(&stmts));
        assert!(depth("fn f<'a>(x: &'a str) -> &'a str { x }") < 10);
        let table = format!(
            "const T: &[(u8, &str)] = &[{}];",
            "(1, \"a\"),".repeat(5000)
        );
        assert!(depth(&table) < 12, "{}", depth(&table));
    }

    #[test]
    fn toml_depth_counts_brackets_and_dots() {
        assert_eq!(toml_depth("a = 1\n"), 1);
        assert!(toml_depth(&format!("a = {}1{}\n", "[".repeat(500), "]".repeat(500))) > 500);
        assert!(toml_depth(&format!("{}a = 1\n", "a.".repeat(500))) > 500);
        assert!(toml_depth(&format!("a = \"{}\"\n", "[".repeat(500))) < 5);
        assert!(toml_depth(&format!("a = '''\n{}'''\n", "[[.".repeat(500))) < 5);
    }
}
