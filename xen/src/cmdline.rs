//! The kernel command line (xl's `extra=`): space-separated options.
//!
//! Parsing needs no allocation, so it can run before the heap exists. Every token is either a
//! recognised option or an [`OptionError`]; the kernel reports errors and carries on booting,
//! so a typo never goes unnoticed and never stops the guest.
//!
//! Like `erl`, `-run MOD [FUN [ARG...]]` and `-s MOD [FUN [ARG...]]` choose the Erlang
//! functions to run, in order: the words after the flag up to the next word starting with `-`
//! are its module, function (`start` when left out) and arguments, so kernel options go
//! before them or after their arguments. erl's `-eval EXPRS` is refused, its words with it:
//! the image has no erl_eval (the host runner, `xenbeam-run`, takes it).

use core::fmt;

/// The longest `idle_poll=US` accepted: 10 ms.
pub const MAX_IDLE_POLL_US: u32 = 10_000;

/// Log verbosity, as given by `log=LEVEL`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogLevel {
    /// No log output.
    Off,
    /// Errors only.
    Error,
    /// Warnings and errors.
    Warn,
    /// The default.
    Info,
    /// Debugging detail.
    Debug,
    /// Everything.
    Trace,
}

/// A deliberate failure, for testing crash reporting (`crash=KIND`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CrashTest {
    /// A Rust panic.
    Panic,
    /// A read from an unmapped address.
    PageFault,
    /// An integer division by zero.
    Divide,
    /// An invalid opcode (`ud2`).
    InvalidOpcode,
    /// Exhausting the heap.
    OutOfMemory,
}

/// `-run MOD [FUN [ARG...]]` or `-s MOD [FUN [ARG...]]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunSpec<'a> {
    /// Module name.
    pub module: &'a str,
    /// Function name (`start` when the command line gives none).
    pub function: &'a str,
    /// The arguments, space-separated as given (possibly empty).
    pub args: &'a str,
    /// `-s`: the arguments are atoms; `-run`: strings.
    pub atoms: bool,
}

impl<'a> RunSpec<'a> {
    /// The arguments one by one.
    pub fn arg_list(&self) -> impl Iterator<Item = &'a str> {
        self.args.split_ascii_whitespace()
    }
}

/// One recognised option.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BootOption<'a> {
    /// `log=LEVEL`.
    Log(LogLevel),
    /// `crash=KIND`.
    Crash(CrashTest),
    /// `selftest`: exercise event channels and the timer before shutting down.
    SelfTest,
    /// `pages=N`: how many pages to set aside for the page allocator (the rest is heap).
    Pages(usize),
    /// `wait=S`: stay up, idle, for S seconds before powering off.
    Wait(u64),
    /// `idle_poll=US`: before sleeping in Xen, watch for an event for up to US microseconds
    /// (at most [`MAX_IDLE_POLL_US`]; the window adapts below that, see [`crate::idle`];
    /// 0 sleeps at once; [`crate::idle::DEFAULT_MAX_US`] when not given).
    IdlePoll(u32),
    /// `-run` or `-s`: an Erlang function to run.
    Run(RunSpec<'a>),
}

/// A token that is not a valid option.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionError<'a> {
    /// An option name we do not know.
    Unknown(&'a str),
    /// `-run` or `-s` without a module.
    IncompleteRun,
    /// `-eval` (with the words after it, up to the next flag): the image cannot evaluate
    /// expressions.
    Eval,
    /// A known option with a value it does not accept.
    BadValue {
        /// The option's name.
        option: &'a str,
        /// The value given.
        value: &'a str,
        /// What would have been accepted.
        expected: &'static str,
    },
}

impl fmt::Display for OptionError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unknown(token) => write!(f, "unknown option '{token}'"),
            Self::IncompleteRun => f.write_str("-run and -s need a module"),
            Self::Eval => f.write_str(
                "-eval is not supported in the image (it has no erl_eval); use -run or -s",
            ),
            Self::BadValue {
                option,
                value,
                expected,
            } => write!(
                f,
                "bad value '{value}' for option '{option}' (expected {expected})"
            ),
        }
    }
}

/// Parses a command line into options and errors, in order.
pub fn parse(cmdline: &str) -> Parser<'_> {
    Parser { rest: cmdline }
}

/// The iterator [`parse`] returns.
#[derive(Clone, Debug)]
pub struct Parser<'a> {
    rest: &'a str,
}

impl<'a> Parser<'a> {
    /// The next word and the text after it.
    fn word(&mut self) -> Option<&'a str> {
        let trimmed = self
            .rest
            .trim_start_matches(|c: char| c.is_ascii_whitespace());
        if trimmed.is_empty() {
            self.rest = trimmed;
            return None;
        }
        let end = trimmed
            .find(|c: char| c.is_ascii_whitespace())
            .unwrap_or(trimmed.len());
        self.rest = &trimmed[end..];
        Some(&trimmed[..end])
    }

    /// The next word, unless it starts a flag (`-`).
    fn plain_word(&mut self) -> Option<&'a str> {
        let mut probe = self.clone();
        let word = probe.word().filter(|w| !w.starts_with('-'))?;
        *self = probe;
        Some(word)
    }

    fn run_spec(&mut self, atoms: bool) -> Result<BootOption<'a>, OptionError<'a>> {
        let Some(module) = self.plain_word() else {
            return Err(OptionError::IncompleteRun);
        };
        let function = self.plain_word().unwrap_or("start");
        // The arguments run up to the next word that starts with '-'.
        let trimmed = self
            .rest
            .trim_start_matches(|c: char| c.is_ascii_whitespace());
        let mut end = 0;
        let mut probe = Parser { rest: trimmed };
        while let Some(word) = probe.word() {
            if word.starts_with('-') {
                break;
            }
            end = trimmed.len() - probe.rest.len();
        }
        let args = &trimmed[..end];
        self.rest = &trimmed[end..];
        Ok(BootOption::Run(RunSpec {
            module,
            function,
            args,
            atoms,
        }))
    }
}

impl<'a> Iterator for Parser<'a> {
    type Item = Result<BootOption<'a>, OptionError<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        let word = self.word()?;
        Some(if word == "-run" || word == "-s" {
            self.run_spec(word == "-s")
        } else if word == "-eval" {
            // Its expressions are not options: one message for the lot.
            while self.plain_word().is_some() {}
            Err(OptionError::Eval)
        } else {
            parse_token(word)
        })
    }
}

fn parse_token(token: &str) -> Result<BootOption<'_>, OptionError<'_>> {
    let (name, value) = match token.split_once('=') {
        Some((name, value)) => (name, Some(value)),
        None => (token, None),
    };
    let bad = |expected| OptionError::BadValue {
        option: name,
        value: value.unwrap_or(""),
        expected,
    };
    match (name, value) {
        ("log", Some(v)) => {
            const LEVELS: &str = "off, error, warn, info, debug or trace";
            let level = match v {
                "off" => LogLevel::Off,
                "error" => LogLevel::Error,
                "warn" => LogLevel::Warn,
                "info" => LogLevel::Info,
                "debug" => LogLevel::Debug,
                "trace" => LogLevel::Trace,
                _ => return Err(bad(LEVELS)),
            };
            Ok(BootOption::Log(level))
        }
        ("crash", Some(v)) => {
            const KINDS: &str = "panic, pagefault, divide, ud or oom";
            let kind = match v {
                "panic" => CrashTest::Panic,
                "pagefault" => CrashTest::PageFault,
                "divide" => CrashTest::Divide,
                "ud" => CrashTest::InvalidOpcode,
                "oom" => CrashTest::OutOfMemory,
                _ => return Err(bad(KINDS)),
            };
            Ok(BootOption::Crash(kind))
        }
        ("pages", Some(v)) => match v.parse::<usize>() {
            Ok(n) if n > 0 => Ok(BootOption::Pages(n)),
            _ => Err(bad("a positive number of pages")),
        },
        ("wait", Some(v)) => match v.parse::<u64>() {
            Ok(n) => Ok(BootOption::Wait(n)),
            _ => Err(bad("a number of seconds")),
        },
        ("idle_poll", Some(v)) => match v.parse::<u32>() {
            Ok(n) if n <= MAX_IDLE_POLL_US => Ok(BootOption::IdlePoll(n)),
            _ => Err(bad("a number of microseconds up to 10000")),
        },
        ("selftest", None) => Ok(BootOption::SelfTest),
        ("log" | "crash" | "pages" | "wait" | "idle_poll", None) => Err(bad("a value after '='")),
        ("selftest", Some(_)) => Err(bad("no value")),
        _ => Err(OptionError::Unknown(token)),
    }
}

/// Extracts the NUL-terminated command line from start_info's fixed-size buffer, replacing
/// anything that is not printable ASCII so the rest of the kernel sees clean text.
pub fn from_buffer(buffer: &[u8], out: &mut [u8]) -> usize {
    let len = buffer.iter().position(|&b| b == 0).unwrap_or(buffer.len());
    let len = len.min(out.len());
    for (dst, &src) in out.iter_mut().zip(&buffer[..len]) {
        *dst = if src == b' ' || src.is_ascii_graphic() {
            src
        } else {
            b'?'
        };
    }
    len
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(line: &str) -> Vec<Result<BootOption<'_>, OptionError<'_>>> {
        parse(line).collect()
    }

    #[test]
    fn recognised_options() {
        assert_eq!(
            all("  log=debug   selftest pages=128 crash=pagefault wait=3 idle_poll=200"),
            vec![
                Ok(BootOption::Log(LogLevel::Debug)),
                Ok(BootOption::SelfTest),
                Ok(BootOption::Pages(128)),
                Ok(BootOption::Crash(CrashTest::PageFault)),
                Ok(BootOption::Wait(3)),
                Ok(BootOption::IdlePoll(200)),
            ]
        );
        assert_eq!(all("idle_poll=0"), vec![Ok(BootOption::IdlePoll(0))]);
        assert_eq!(
            all("idle_poll=10000"),
            vec![Ok(BootOption::IdlePoll(10_000))]
        );
        assert_eq!(all(""), vec![]);
    }

    #[test]
    fn errors_are_reported_in_place() {
        let got = all("frobnicate log=loud log pages=0 pages=x selftest=1 crash=ud");
        assert_eq!(got[0], Err(OptionError::Unknown("frobnicate")));
        assert!(matches!(
            got[1],
            Err(OptionError::BadValue {
                option: "log",
                value: "loud",
                ..
            })
        ));
        assert!(matches!(
            got[2],
            Err(OptionError::BadValue { option: "log", .. })
        ));
        assert!(matches!(
            got[3],
            Err(OptionError::BadValue {
                option: "pages",
                ..
            })
        ));
        assert!(matches!(
            got[4],
            Err(OptionError::BadValue {
                option: "pages",
                ..
            })
        ));
        assert!(matches!(
            got[5],
            Err(OptionError::BadValue {
                option: "selftest",
                ..
            })
        ));
        assert_eq!(got[6], Ok(BootOption::Crash(CrashTest::InvalidOpcode)));
        assert_eq!(
            got[0].unwrap_err().to_string(),
            "unknown option 'frobnicate'"
        );
        assert_eq!(
            got[1].unwrap_err().to_string(),
            "bad value 'loud' for option 'log' (expected off, error, warn, info, debug or trace)"
        );
        for bad in [
            "idle_poll=10001",
            "idle_poll=-1",
            "idle_poll=x",
            "idle_poll=",
        ] {
            assert!(
                matches!(
                    all(bad)[..],
                    [Err(OptionError::BadValue {
                        option: "idle_poll",
                        ..
                    })]
                ),
                "{bad}"
            );
        }
        assert!(matches!(
            all("idle_poll")[..],
            [Err(OptionError::BadValue {
                option: "idle_poll",
                ..
            })]
        ));
    }

    #[test]
    fn run_takes_words_up_to_the_next_flag() {
        let got = all("log=debug -run hello main  a b=c  d -x selftest");
        let Ok(BootOption::Run(spec)) = got[1] else {
            panic!("{got:?}")
        };
        assert_eq!(
            (spec.module, spec.function, spec.args),
            ("hello", "main", "a b=c  d")
        );
        assert_eq!(spec.arg_list().collect::<Vec<_>>(), vec!["a", "b=c", "d"]);
        assert_eq!(got[2], Err(OptionError::Unknown("-x")));
        assert_eq!(got[3], Ok(BootOption::SelfTest));

        let Ok(BootOption::Run(bare)) = all("-run m f")[0] else {
            panic!()
        };
        assert_eq!((bare.module, bare.function, bare.args), ("m", "f", ""));
        assert!(!bare.atoms);
        assert_eq!(all("-run -m f")[0], Err(OptionError::IncompleteRun));
        assert_eq!(
            all("-run")[0].unwrap_err().to_string(),
            "-run and -s need a module"
        );
        // erl's defaults and -s items, in order.
        let got = all("-run m -s init stop -s m2 f x y pages=3");
        let specs: Vec<(&str, &str, &str, bool)> = got
            .iter()
            .filter_map(|o| match o {
                Ok(BootOption::Run(s)) => Some((s.module, s.function, s.args, s.atoms)),
                _ => None,
            })
            .collect();
        assert_eq!(
            specs,
            vec![
                ("m", "start", "", false),
                ("init", "stop", "", true),
                ("m2", "f", "x y pages=3", true)
            ]
        );
        assert_eq!(all("-s")[0], Err(OptionError::IncompleteRun));
    }

    #[test]
    fn eval_is_refused_with_its_words() {
        let got = all("-eval io:format(\"~p~n\", [X=1]). halt(). -run m f pages=3 -eval");
        assert_eq!(got[0], Err(OptionError::Eval));
        let Ok(BootOption::Run(spec)) = got[1] else {
            panic!("{got:?}")
        };
        assert_eq!(
            (spec.module, spec.function, spec.args),
            ("m", "f", "pages=3")
        );
        assert_eq!(got[2], Err(OptionError::Eval));
        assert_eq!(got.len(), 3);
        assert_eq!(
            got[0].unwrap_err().to_string(),
            "-eval is not supported in the image (it has no erl_eval); use -run or -s"
        );
    }

    #[test]
    fn buffer_extraction() {
        let mut raw = [0u8; 16];
        raw[..8].copy_from_slice(b"log=d\x01bg");
        let mut out = [0u8; 16];
        let n = from_buffer(&raw, &mut out);
        assert_eq!(&out[..n], b"log=d?bg");
        // No terminator: the whole buffer, clipped to the output.
        let mut small = [0u8; 4];
        assert_eq!(from_buffer(b"abcdefgh", &mut small), 4);
        assert_eq!(&small, b"abcd");
    }
}
