//! Running Python's confluent-kafka tools (tests/interop/*.py) as peers,
//! bounded so that a hung child fails the test instead of hanging it.

use std::sync::mpsc;
use std::time::Duration;

/// A bound on what must not hang (not a timing assertion).
pub const LIMIT: Duration = Duration::from_secs(60);

/// Runs `cmd` to completion, killing it (and failing) after [`LIMIT`].
pub fn run_bounded(cmd: &mut std::process::Command) -> std::io::Result<std::process::Output> {
    let child = cmd
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()?;
    let pid = child.id();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(LIMIT) {
        Ok(out) => out,
        Err(_) => {
            let _ = std::process::Command::new("kill")
                .args(["-9", &pid.to_string()])
                .status();
            panic!("{cmd:?} did not finish within {LIMIT:?} (killed)");
        }
    }
}

/// Runs tests/interop/`script` with `args` and parses the one JSON object
/// it prints. `None` (the test skips) when Python cannot import `module`,
/// unless `FERROKAFKA_REQUIRE_BROKER=1` (scripts/test.sh), where that fails.
pub fn python_tool(script: &str, module: &str, args: &[String]) -> Option<serde_json::Value> {
    let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    let required = std::env::var("FERROKAFKA_REQUIRE_BROKER").as_deref() == Ok("1");
    let probe = run_bounded(std::process::Command::new(&python).args(["-c", &format!("import {module}")]));
    match probe {
        Ok(o) if o.status.success() => {}
        other => {
            let why = match other {
                Ok(o) => String::from_utf8_lossy(&o.stderr).to_string(),
                Err(e) => e.to_string(),
            };
            assert!(
                !required,
                "FERROKAFKA_REQUIRE_BROKER=1 but Python cannot import {module} (confluent-kafka with its extras): {why}"
            );
            eprintln!("skipping: Python cannot import {module} (run ./scripts/test.sh): {why}");
            return None;
        }
    }
    let path = format!("{}/interop/{script}", env!("CARGO_MANIFEST_DIR"));
    let shown = args.to_vec();
    let out = run_bounded(std::process::Command::new(python).arg(path).args(args)).unwrap();
    assert!(
        out.status.success(),
        "{script} {shown:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    Some(serde_json::from_slice(&out.stdout).expect("one JSON object"))
}

/// Bytes from lowercase hex.
pub fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}
