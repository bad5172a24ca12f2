//! Replays fuzzing finds forever: every file under `fuzz/regressions/<target>/` goes through the
//! same harness as the cargo-fuzz target of that name (`fuzz/fuzz_targets/harness.rs`: no panic,
//! spans within the text), plus hand-written inputs of the kinds that break hand-written parsers.

mod common;

#[path = "../fuzz/fuzz_targets/harness.rs"]
mod harness;

#[test]
fn regression_inputs_do_not_crash() {
    let dir = common::root().join("fuzz/regressions");
    let mut seen = 0;
    let Ok(targets) = std::fs::read_dir(&dir) else {
        panic!("{} is missing", dir.display());
    };
    for target in targets.flatten() {
        let path = target.path();
        if !path.is_dir() {
            continue;
        }
        let name = target.file_name().to_string_lossy().into_owned();
        assert!(
            harness::TARGETS.contains(&name.as_str()),
            "{}: no fuzz target named {name}",
            path.display()
        );
        for input in std::fs::read_dir(&path)
            .expect("regression folder")
            .flatten()
        {
            let bytes = std::fs::read(input.path()).expect("regression input");
            eprintln!("{name}: {}", input.path().display());
            harness::run_target(&name, &bytes);
            seen += 1;
        }
    }
    eprintln!("{seen} regression inputs replayed");
}

/// `text` repeated `n` times.
fn rep(text: &str, n: usize) -> String {
    text.repeat(n)
}

#[test]
fn hand_picked_nasty_inputs() {
    // Quoting grows fourfold per level, so the well-formed nesting stays shallow; the
    // unterminated one goes deep.
    let nested_sh = {
        let mut s = String::from("x");
        for _ in 0..6 {
            s = format!("sh -c {}", shell_quote(&s));
        }
        s
    };
    let deep_sh = rep("sh -c 'sh -c \"", 200);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("shell", b"\0echo \"unterminated".to_vec()),
        ("shell", b"\0echo 'unterminated".to_vec()),
        ("shell", b"\x05a b \\".to_vec()),
        ("shell", "\u{1}é\\".as_bytes().to_vec()),
        ("shell", b"\0cat <<EOF\nno end here".to_vec()),
        ("shell", b"\0sh -c \"sh -c \\\"sh -c 'x".to_vec()),
        ("shell", b"\0a 2>& ; > ; <".to_vec()),
        ("shell", b"\0$(((\n`\n${".to_vec()),
        ("shell", [b"\0".as_slice(), nested_sh.as_bytes()].concat()),
        ("shell", [b"\0".as_slice(), deep_sh.as_bytes()].concat()),
        ("dockerfile", b"FROM x\nRUN <<EOF\necho no end".to_vec()),
        ("dockerfile", b"FROM x\nRUN a \\".to_vec()),
        ("dockerfile", b"FROM x\nENV A=\"unterminated B='x".to_vec()),
        ("dockerfile", b"# escape=`\nFROM x\nRUN a `".to_vec()),
        ("dockerfile", b"ARG A=${B:-${C\nFROM $A AS\nCMD [\"sh\", \"-c\"".to_vec()),
        ("dockerfile", "FROM é\nCMD [\"sh\",\"-c\",\"é'\"]\nENV é=ü".as_bytes().to_vec()),
        ("procfile", b"web: \"x".to_vec()),
        ("procfile", b":\n".to_vec()),
        ("procfile", "web: a \\\né: b".as_bytes().to_vec()),
        ("dotenv", b"A=\"unterminated\nB='x\\".to_vec()),
        ("dotenv", "export\n=\n é=ü\nexport A".as_bytes().to_vec()),
        ("nginx", b"server { listen \"80".to_vec()),
        ("nginx", b"}}}".to_vec()),
        ("nginx", rep("a {", 5000).into_bytes()),
        ("nginx", b"a \"b\\".to_vec()),
        ("compose_k8s", rep("[", 2000).into_bytes()),
        ("compose_k8s", b"{a: {b: {".to_vec()),
        (
            "compose_k8s",
            b"services: {web: {command: \"sh -c 'x\", entrypoint: [1, {a: b}]}}".to_vec(),
        ),
        (
            "compose_k8s",
            b"kind: Deployment\nspec: {template: {spec: {containers: [{command: [[x]], args: 3}]}}}"
                .to_vec(),
        ),
    ];
    for (target, data) in &cases {
        assert!(harness::run_target(target, data), "unknown target {target}");
    }
    // The pipeline on the same inputs under every file name.
    let names = u8::try_from(harness::NAMES.len()).unwrap_or(u8::MAX);
    for (_, data) in &cases {
        for pick in 0..names {
            harness::run_target("pipeline", &[&[pick], data.as_slice()].concat());
        }
    }
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "'\\''"))
}
