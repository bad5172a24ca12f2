#!/usr/bin/env python3
"""Turn the hyperfine exports of benches/run into a Markdown report.

Usage: report.py META_FILE CORPUS_JSON STARTUP_JSON OUT_MD

META_FILE holds `key=value` lines written by benches/run. Prints the report and writes it to
OUT_MD. Only arithmetic on measured medians, set beside the targets of issue 6.
"""

import json
import statistics
import sys


def load_meta(path):
    meta = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if "=" in line:
                k, v = line.split("=", 1)
                meta[k] = v
    return meta


def results(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)["results"]


def fmt_s(s):
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"


def main():
    meta_path, corpus_json, startup_json, out_md = sys.argv[1:5]
    meta = load_meta(meta_path)
    files = int(meta["files"])
    mbytes = int(meta["bytes"]) / 1e6
    by_name = {r["command"]: r for r in results(corpus_json)}
    names = ["a", "b", "c", "d"]
    labels = {
        "a": "(a) twelve-check, default threads",
        "b": "(b) twelve-check -j1",
        "c": "(c) rg -c -i -F (union of trigger tokens)",
        "d": "(d) rg --files (walk floor)",
    }
    rss = {"a": meta.get("rss_a_kb"), "b": meta.get("rss_b_kb")}
    med = {n: by_name[n]["median"] for n in names}

    out = []
    out.append("# twelve-check benchmark")
    out.append("")
    out.append(f"- date: {meta.get('date')}; host: {meta.get('cpu')} ({meta.get('nproc')} cores); "
               f"load average before/after: {meta.get('load_before')} / {meta.get('load_after')}")
    out.append(f"- twelve-check: {meta.get('tc_version')} at {meta.get('git_rev')}; "
               f"{meta.get('rg_version')}; {meta.get('hyperfine_version')}")
    out.append(f"- corpus: `{meta.get('tree')}`: {files} files (what `rg --files --hidden "
               f"--no-require-git` lists), {mbytes:.1f} MB, {int(meta['rs_files'])} .rs files, "
               f"{int(meta['rs_lines']):,} lines of Rust ({int(meta['vendor_rs_lines']):,} vendored from "
               f"{meta.get('crates')} crates, the rest synthetic), {meta.get('services')} synthetic services")
    out.append(f"- runs: {meta.get('runs')} per command after {meta.get('warmup')} warm-up, "
               f"same machine, same run; medians; wall time (hyperfine)")
    out.append(f"- findings reported by (a): {meta.get('findings')}")
    out.append(f"- prefilter check: {meta.get('prefilter_check', 'skipped')}")
    out.append("")
    out.append("| command | median | mean ± σ | min … max | files/s | MB/s | peak RSS |")
    out.append("|---|---:|---:|---:|---:|---:|---:|")
    for n in names:
        r = by_name[n]
        m = r["median"]
        peak = f"{int(rss[n]) / 1024:.0f} MiB" if rss.get(n) else "–"
        out.append(
            f"| {labels[n]} | {fmt_s(m)} | {fmt_s(r['mean'])} ± {fmt_s(r['stddev'] or 0)} | "
            f"{fmt_s(r['min'])} … {fmt_s(r['max'])} | {files / m:,.0f} | {mbytes / m:,.1f} | {peak} |"
        )
    out.append("")
    out.append("| ratio | value |")
    out.append("|---|---:|")
    out.append(f"| (a)/(c): twelve-check vs rg token search | {med['a'] / med['c']:.1f}× |")
    out.append(f"| (a)/(d): twelve-check vs rg walk | {med['a'] / med['d']:.1f}× |")
    out.append(f"| (b)/(a): speed-up of default threads over -j1 | {med['b'] / med['a']:.2f}× |")
    out.append("")
    st = results(startup_json)
    demo = statistics.median(r["median"] for r in st)
    rss_a = int(rss["a"]) / 1024 if rss.get("a") else float("nan")
    checks = [
        ("(a) at most 2× (c)", f"{med['a'] / med['c']:.2f}×", med["a"] / med["c"] <= 2.0),
        ("peak RSS of (a) under 150 MiB", f"{rss_a:.0f} MiB", rss_a < 150),
        ("(b)/(a) at least 1.7×", f"{med['b'] / med['a']:.2f}×", med["b"] / med["a"] >= 1.7),
        ("demo app under 50 ms", fmt_s(demo), demo < 0.050),
    ]
    out.append("| target (issue 6) | measured | met |")
    out.append("|---|---:|:-:|")
    for name, value, ok in checks:
        out.append(f"| {name} | {value} | {'yes' if ok else 'no'} |")
    out.append("")

    out.append("Start-up on an ordinary repository (`twelve-check --isolated --exit-zero "
               "fixtures/apps/<app>`, human format, output to /dev/null):")
    out.append("")
    out.append("| app | files | median | min … max |")
    out.append("|---|---:|---:|---:|")
    meds = []
    for r in st:
        app = r["command"]
        meds.append(r["median"])
        out.append(f"| {app} | {meta.get('appfiles_' + app, '?')} | {fmt_s(r['median'])} | "
                   f"{fmt_s(r['min'])} … {fmt_s(r['max'])} |")
    out.append(f"| **median over the apps** | | **{fmt_s(statistics.median(meds))}** | |")
    out.append("")
    out.append(f"Start-up runs: {meta.get('startup_runs')} per app after {meta.get('startup_warmup')} warm-up.")
    if meta.get("timings"):
        out.append("")
        out.append("`twelve-check -v` phase timings on the corpus (one run, default threads):")
        out.append("")
        out.append("```text")
        out.append(meta["timings"].replace("\\n", "\n"))
        out.append("```")
    out.append("")
    out.append("Noise: a shared machine; other jobs may have used the CPU (see the load averages). "
               "Numbers are for comparison within this run, not absolute.")
    text = "\n".join(out) + "\n"
    with open(out_md, "w", encoding="utf-8") as f:
        f.write(text)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
