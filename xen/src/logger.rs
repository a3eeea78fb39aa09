//! The `log` facade on the console: `[seconds.micros] LEVEL message` lines.
//!
//! Records are formatted straight into the console ring in pieces, without allocating, so
//! logging works before the heap exists and while it is exhausted.

use crate::platform;
use core::fmt::Write;
use log::{LevelFilter, Log, Metadata, Record};

struct ConsoleLogger;

static LOGGER: ConsoleLogger = ConsoleLogger;

/// Writes formatted text to the console (early path before the platform is up).
pub struct ConsoleWriter;

impl Write for ConsoleWriter {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        match platform::try_get() {
            Some(p) => p.console_write(s.as_bytes()),
            None => platform::early_write(s.as_bytes()),
        }
        Ok(())
    }
}

impl Log for ConsoleLogger {
    fn enabled(&self, metadata: &Metadata) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &Record) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let us = platform::try_get().map_or(0, |p| p.uptime_ns() / 1000);
        let _ = writeln!(
            ConsoleWriter,
            "[{:4}.{:06}] {:<5} {}",
            us / 1_000_000,
            us % 1_000_000,
            record.level(),
            record.args()
        );
    }

    fn flush(&self) {}
}

/// Installs the console logger at `level`.
pub fn init(level: LevelFilter) {
    // A second call would fail harmlessly; the level is set either way.
    let _ = log::set_logger(&LOGGER);
    log::set_max_level(level);
}
