#!/usr/bin/env python3
"""Print the ripgrep baseline's pattern list, one fixed string per line.

Usage: tokens.py REPO_ROOT

The list is the union of the Rust prefilter tokens of every stable rule (what each rule returns
from `fn rust_triggers`, read from the rule sources under src/rules/ without building or
changing anything; rules declared `preview: true` are left out, as the default run leaves them
out) plus a fixed list of tokens for the deployment files (Dockerfile, compose, Kubernetes,
Procfile, nginx, .env), which twelve-check parses without a prefilter. Matching is ASCII
case-insensitive, as twelve-check's Aho-Corasick prefilter is, so `rg -i -F` is the comparable
search. If the sources cannot be read in this shape (a refactor), a fixed fallback list is used
and a warning goes to stderr.
"""

import os
import re
import sys

DEPLOY_TOKENS = [
    "FROM", "CMD", "ENTRYPOINT", "RUN ", "image:", "command:", "args:", "ports:",
    "sticky", "ip_hash", "listen", "proxy_pass", "access_log", "web:", "release:",
    "password", "secret", "token", "://", "DATABASE_URL", "PORT",
]

FALLBACK = [
    "serve", "bind", "listen", "token", "password", "secret", "://", "session", "Command",
    "migrat", "signal", "env", "log", "daemon", "fork", "Mutex", "static ", "const ",
    "fs::write", "File::create", "tracing_subscriber", "tracing_appender",
]

STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')
CONST = r'(?:pub(?:\([a-z]+\))?\s+)?(?:const|static)\s+{name}\s*:[^=]*=\s*&\[(.*?)\];'


def unescape(s):
    return s.replace('\\"', '"').replace("\\\\", "\\")


def rule_sources(root):
    for dirpath, _, files in os.walk(os.path.join(root, "src", "rules")):
        for f in sorted(files):
            if f.endswith(".rs"):
                with open(os.path.join(dirpath, f), encoding="utf-8") as fh:
                    yield fh.read()


def body_of(text, start):
    """The text of the block that opens at the first `{` after `start`."""
    i = text.index("{", start)
    depth = 0
    for j in range(i, len(text)):
        c = text[j]
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return text[i + 1 : j]
    return text[i + 1 :]


def extract(root):
    sources = list(rule_sources(root))
    everything = "\n".join(sources)
    tokens = []
    for text in sources:
        if re.search(r"\bpreview:\s*true", text):
            continue
        for m in re.finditer(r"fn rust_triggers\s*\(", text):
            body = body_of(text, m.end())
            # drop debug_assert!(..) lines: they name other lists for checking only
            body = "\n".join(l for l in body.splitlines() if "debug_assert" not in l)
            if "&[" in body:
                tokens += [unescape(s) for s in STRING.findall(body)]
            for name in re.findall(r"\b([A-Z][A-Z0-9_]{2,})\b", body):
                c = re.search(CONST.format(name=re.escape(name)), text, re.S) or re.search(
                    CONST.format(name=re.escape(name)), everything, re.S
                )
                if c:
                    tokens += [unescape(s) for s in STRING.findall(c.group(1))]
    return tokens


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else "."
    try:
        rust = extract(root)
    except (OSError, ValueError) as e:
        print(f"tokens.py: {e}", file=sys.stderr)
        rust = []
    if len(rust) < 10:
        print("tokens.py: could not read the rules' rust_triggers; using the fallback list", file=sys.stderr)
        rust = FALLBACK
    seen = set()
    for t in rust + DEPLOY_TOKENS:
        k = t.lower()
        if t and k not in seen:
            seen.add(k)
            print(t)


if __name__ == "__main__":
    main()
