//! What several integration tests share: running a command under a wall-clock limit.

use std::io::Read;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// Runs `cmd` to its end or until `limit` has passed (then kills it), reading its standard
/// output and error while it runs, so a chatty run cannot block on a full pipe. Returns its
/// exit status (`None`: killed at the limit, that is frozen) and both outputs, read lossily
/// (random binaries printed by a program need not be UTF-8).
pub fn run_limited(cmd: &mut Command, limit: Duration) -> (Option<ExitStatus>, String, String) {
    let started = Instant::now();
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starting the command");
    let read_all = |mut r: Box<dyn Read + Send>| {
        let mut bytes = Vec::new();
        let _ = r.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    };
    let (stdout, stderr) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let out = std::thread::spawn(move || read_all(Box::new(stdout)));
    let err = std::thread::spawn(move || read_all(Box::new(stderr)));
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break Some(s);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    (status, out.join().unwrap(), err.join().unwrap())
}
