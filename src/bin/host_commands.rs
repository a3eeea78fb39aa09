//! `os:cmd`'s commands on the host: `/bin/sh` runs each one as erl's `os:cmd` runs it, and a
//! thread of its own reads its output, so that the node's scheduler never waits for it.
//!
//! As in erl, the shell (`/bin/sh -s unix:cmd`) reads a script from its standard input: the
//! command in a subshell whose input is `/dev/null`, then an `echo` of the end-of-transmission
//! byte (4) that marks the end of the command's output (and, as erl's children have it,
//! SIGPIPE ignored); its standard output and error go
//! to the same pipe. The output is handed on in chunks as it arrives, until the pipe ends
//! or the command is closed (the thread then drops its end: the command's later writes fail,
//! as they do once erl closes its port).

#![forbid(unsafe_code)]

use std::collections::HashMap;
use std::io::{Read, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TryRecvError};

use xenbeam::vm::bif::Input;
use xenbeam::vm::files::Posix;

use crate::host_files::posix;

/// Bytes read from a command's output at a time.
const CHUNK: usize = 1 << 16;

/// Chunks a command's thread reads ahead of the node.
pub const AHEAD: usize = 4;

/// Sends what `from` gives, in chunks of at most [`CHUNK`] bytes as they arrive, until its
/// end, an error, or the receiver's going away (a reader thread's loop: standard input's
/// and each command's output).
pub fn forward_chunks(from: &mut impl Read, to: &SyncSender<Vec<u8>>) {
    loop {
        let mut buf = vec![0; CHUNK];
        match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => {
                buf.truncate(n);
                if to.send(buf).is_err() {
                    break;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
}

/// The commands started and not yet closed, by id: each with its output and the process
/// that started it.
#[derive(Default)]
pub struct HostCommands {
    running: HashMap<u32, (Receiver<Vec<u8>>, u32)>,
    next: u32,
}

impl HostCommands {
    /// Starts `command` (see the module docs) for process `caller`, with the environment
    /// changes `env`; its id.
    pub fn start(
        &mut self,
        caller: u32,
        command: &[u8],
        env: &[(String, Option<String>)],
    ) -> Result<u32, Posix> {
        let mut script = Vec::with_capacity(command.len() + 48);
        // erl's children start with SIGPIPE ignored (the runtime ignores it), ours with the
        // default: the trap makes a write to a closed pipe fail alike (on the command's line,
        // so its line numbers stay erl's).
        script.extend_from_slice(b"trap '' PIPE; (");
        script.extend_from_slice(command);
        script.extend_from_slice(b"\n) </dev/null; echo \"\x04\"\n");
        let (mut output, writer) = std::io::pipe().map_err(posix)?;
        let mut sh = Command::new("/bin/sh");
        sh.args(["-s", "unix:cmd"])
            .stdin(Stdio::piped())
            .stdout(writer.try_clone().map_err(posix)?)
            .stderr(writer);
        for (name, value) in env {
            match value {
                Some(v) => sh.env(name, v),
                None => sh.env_remove(name),
            };
        }
        let mut child = sh.spawn().map_err(posix)?;
        // The pipe's writing ends are the shell's alone now: the output ends when theirs do.
        drop(sh);
        let input = child.stdin.take();
        let (tx, rx) = sync_channel(AHEAD);
        std::thread::spawn(move || {
            // The shell has read the whole script before the command writes anything; its
            // input then ends, and it exits after the script.
            if let Some(mut input) = input {
                let _ = input.write_all(&script);
            }
            forward_chunks(&mut output, &tx);
            drop(output);
            let _ = child.wait();
        });
        let id = self.next;
        self.next = self.next.wrapping_add(1);
        self.running.insert(id, (rx, caller));
        Ok(id)
    }

    /// The next output of command `id`, without waiting.
    pub fn read(&mut self, id: u32) -> Input {
        let Some((rx, _)) = self.running.get(&id) else {
            return Input::Eof;
        };
        match rx.try_recv() {
            Ok(bytes) => Input::Bytes(bytes),
            Err(TryRecvError::Empty) => Input::Pending,
            Err(TryRecvError::Disconnected) => {
                self.running.remove(&id);
                Input::Eof
            }
        }
    }

    /// Forgets command `id`: its thread stops at its next chunk.
    pub fn close(&mut self, id: u32) {
        self.running.remove(&id);
    }

    /// Forgets the commands process `caller` started (it has ended).
    pub fn close_owned(&mut self, caller: u32) {
        self.running.retain(|_, (_, owner)| *owner != caller);
    }
}
