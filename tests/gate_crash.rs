//! Durability: a writer process is killed (SIGKILL) at random points, over
//! and over; every passage it acknowledged must be in the log afterwards and
//! the database must pass `PRAGMA integrity_check`.
//!
//! The writer is this test binary itself, re-executed with
//! `HSM_CRASH_CHILD=<db path>`: it appends passages one durable commit at a
//! time (some in small batches) and prints `ack <id>` on stdout after each
//! commit returns. The parent reads the acknowledgements, kills the child
//! after a random delay, reopens the log and checks.
#![allow(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "a test, and its child process reports on stdout"
)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use hsm::core::Timestamp;
use hsm::core::rng::SplitMix64;
use hsm::gate::{Alarms, Passage, PassageFlags, PassageLog, Query, Way};

const KILLS: usize = 100;

fn record(k: i64) -> Passage {
    Passage {
        id: 0,
        gate: "g1".into(),
        entrance: "main".into(),
        entry: Timestamp(1_795_390_200_000_000 + k * 1_000_000),
        exit: Timestamp(1_795_390_200_000_000 + k * 1_000_000 + 700_000),
        direction: if k % 2 == 0 { Way::In } else { Way::Out },
        persons: 1,
        thermal: None,
        metal: None,
        alarms: Alarms::NONE,
        flags: PassageFlags::NONE,
        token: None,
    }
}

/// The child: append until killed.
fn child(path: &str) {
    let mut log = PassageLog::open(path).unwrap();
    let out = std::io::stdout();
    let mut k = 0i64;
    loop {
        if k % 7 == 3 {
            let mut batch: Vec<Passage> = (0..5).map(|j| record(k * 10 + j)).collect();
            log.append_all(&mut batch).unwrap();
            let mut o = out.lock();
            for p in &batch {
                writeln!(o, "ack {}", p.id).unwrap();
            }
            o.flush().unwrap();
        } else {
            let mut p = record(k * 10);
            let id = log.append(&mut p).unwrap();
            let mut o = out.lock();
            writeln!(o, "ack {id}").unwrap();
            o.flush().unwrap();
        }
        k += 1;
    }
}

#[test]
fn acknowledged_passages_survive_kills() {
    if let Some(path) = std::env::var_os("HSM_CRASH_CHILD") {
        child(&path.to_string_lossy());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("crash.db");
    let exe = std::env::current_exe().unwrap();
    let mut rng = SplitMix64::new(20_261_122);
    let mut acked: Vec<i64> = Vec::new();
    for round in 0..KILLS {
        let mut child = Command::new(&exe)
            .args([
                "--exact",
                "acknowledged_passages_survive_kills",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("HSM_CRASH_CHILD", &db)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if let Some(id) = line
                    .strip_prefix("ack ")
                    .and_then(|s| s.parse::<i64>().ok())
                    && tx.send(id).is_err()
                {
                    break;
                }
            }
        });
        // Kill at a random point: 5–60 ms after the first acknowledgement
        // (so that the kill lands mid-stream, not during start-up).
        let first = rx
            .recv_timeout(Duration::from_secs(30))
            .expect("child acknowledged nothing");
        acked.push(first);
        std::thread::sleep(Duration::from_micros(5_000 + rng.below(55_000)));
        child.kill().unwrap();
        child.wait().unwrap();
        reader.join().unwrap();
        acked.extend(rx.try_iter());

        let log = PassageLog::open(&db).unwrap();
        log.check_integrity()
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
        let have: std::collections::HashSet<i64> = log
            .query(&Query::default())
            .unwrap()
            .iter()
            .map(|p| p.id)
            .collect();
        let lost: Vec<&i64> = acked.iter().filter(|id| !have.contains(id)).collect();
        assert!(
            lost.is_empty(),
            "round {round}: acknowledged but lost: {lost:?}"
        );
    }
    assert!(
        acked.len() > KILLS * 2,
        "too few acknowledgements to mean anything: {}",
        acked.len()
    );
    println!(
        "{KILLS} kills, {} acknowledged passages, none lost",
        acked.len()
    );
}
