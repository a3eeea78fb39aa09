//! Per-process `max_heap_size`, as erl has it: the limit, whether reaching it kills the
//! process, whether it is reported, and the report erl's logger prints.
//!
//! The limit is checked after a garbage collection: when the process's total heap (its live
//! words after the collection plus the space the collection was asked to leave, its stack
//! and its mailbox, which lives on the heap) is over the limit, the process is reported
//! (`error_logger`) and killed with reason `killed` (`kill`). With `kill` false it carries
//! on and is reported at each collection that finds it over the limit, as in erl.

use alloc::format;
use alloc::string::String;

use super::atom::{self, AtomTable};
use super::heap::{Heap, View};
use super::term::Term;

/// The smallest non-zero limit erl takes (its default minimum heap size, in words).
pub const MIN_SIZE: u64 = 233;
/// The largest limit erl takes (its largest small integer).
pub const MAX_SIZE: u64 = (1 << 59) - 1;

/// A process's `max_heap_size` setting.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MaxHeap {
    /// The limit in words (0: none).
    pub size: u64,
    /// Reaching the limit kills the process.
    pub kill: bool,
    /// Reaching the limit is reported.
    pub error_logger: bool,
}

impl Default for MaxHeap {
    fn default() -> Self {
        Self {
            size: 0,
            kill: true,
            error_logger: true,
        }
    }
}

impl MaxHeap {
    /// Reads `N` or `#{size => N, kill => Bool, error_logger => Bool}`; `None` for anything
    /// erl refuses. Keys not given keep `self`'s values; other keys are ignored, as in erl
    /// (which OTP 25 does with `include_shared_binaries` too).
    pub fn parse(self, v: &View, atoms: &AtomTable, t: Term) -> Option<MaxHeap> {
        let size = |t: Term| {
            t.as_small()
                .and_then(|n| u64::try_from(n).ok())
                .filter(|&n| n == 0 || (MIN_SIZE..=MAX_SIZE).contains(&n))
        };
        if t.is_small() {
            return Some(MaxHeap {
                size: size(t)?,
                ..self
            });
        }
        let entries = v.map_entries(t)?;
        let mut out = self;
        let mut sized = false;
        for (k, val) in entries {
            let flag = match val {
                atom::TRUE => Some(true),
                atom::FALSE => Some(false),
                _ => None,
            };
            match k.is_atom().then(|| atoms.name(k))? {
                "size" => {
                    out.size = size(val)?;
                    sized = true;
                }
                "kill" => out.kill = flag?,
                "error_logger" => out.error_logger = flag?,
                _ => {}
            }
        }
        sized.then_some(out)
    }

    /// `#{error_logger => Bool, kill => Bool, size => N}`.
    pub fn to_term(self, heap: &mut Heap, atoms: &mut AtomTable) -> Term {
        let mut key = |name: &str| atoms.intern(name).unwrap_or(atom::UNDEFINED);
        let keys = [key("error_logger"), key("kill"), key("size")];
        let size = heap.int(self.size as i64);
        heap.map_sorted(&[
            (keys[0], Term::boolean(self.error_logger)),
            (keys[1], Term::boolean(self.kill)),
            (keys[2], size),
        ])
    }

    /// Whether a process with `total` heap words is over the limit.
    pub fn exceeded(self, total: usize) -> bool {
        self.size != 0 && total as u64 > self.size
    }
}

/// What a collection that found a process over its limit saw, for the report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeapReport {
    /// The setting it was over.
    pub max: MaxHeap,
    /// Its total heap size in words.
    pub total: usize,
    /// Words of the heap in use after the collection.
    pub heap_size: usize,
    /// erl's heap block size for it: the smallest of erl's heap sizes holding its heap.
    pub heap_block_size: usize,
    /// Words of its stack.
    pub stack_size: usize,
    /// Messages in its mailbox.
    pub message_queue_len: usize,
}

/// erl's report for a process over its `max_heap_size`, after the `=ERROR REPORT====` line:
/// the GC info lists erl's fields, with this VM's one-generation heap in the young ones.
pub fn report_text(pid: Term, r: &HeapReport) -> String {
    let (number, serial) = pid.pid_parts();
    let gc_info = [
        ("old_heap_block_size", 0),
        ("heap_block_size", r.heap_block_size),
        ("mbuf_size", 0),
        ("recent_size", r.heap_size),
        ("stack_size", r.stack_size),
        ("old_heap_size", 0),
        ("heap_size", r.heap_size),
        ("bin_vheap_size", 0),
        ("bin_vheap_block_size", BIN_VHEAP_BLOCK_WORDS),
        ("bin_old_vheap_size", 0),
        ("bin_old_vheap_block_size", BIN_VHEAP_BLOCK_WORDS),
    ];
    let mut info = String::new();
    for (i, (name, n)) in gc_info.iter().enumerate() {
        let (open, sep) = match i {
            0 => ("[", ",\n"),
            10 => ("                          ", "]"),
            _ => ("                          ", ",\n"),
        };
        info.push_str(&format!("{open}{{{name},{n}}}{sep}"));
    }
    format!(
        "     Process:            <0.{number}.{serial}> \n     \
         Context:            maximum heap size reached\n     \
         Max Heap Size:      {}\n     \
         Total Heap Size:    {}\n     \
         Kill:               {}\n     \
         Error Logger:       {}\n     \
         Message Queue Len:  {}\n     \
         GC Info:            {info}\n",
        r.max.size, r.total, r.max.kill, r.max.error_logger, r.message_queue_len
    )
}

/// erl's virtual binary heap's starting size in words, which its report shows.
const BIN_VHEAP_BLOCK_WORDS: usize = 46422;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vm::literals::Literals;

    fn parse(heap: &mut Heap, atoms: &mut AtomTable, pairs: &[(&str, Term)]) -> Option<MaxHeap> {
        let p: alloc::vec::Vec<(Term, Term)> = pairs
            .iter()
            .map(|(k, v)| (atoms.intern(k).unwrap(), *v))
            .collect();
        let lits = Literals::default();
        let m = super::super::map::from_pairs(heap, &lits, atoms, p);
        MaxHeap::default().parse(&heap.view(&lits), atoms, m)
    }

    #[test]
    fn sizes_and_maps_are_read_as_erl_reads_them() {
        let mut atoms = AtomTable::new();
        let mut heap = Heap::new();
        let lits = Literals::default();
        let d = MaxHeap::default();
        let v = heap.view(&lits);
        assert_eq!(d.parse(&v, &atoms, Term::small(232)), None);
        assert_eq!(d.parse(&v, &atoms, Term::small(-1)), None);
        assert_eq!(d.parse(&v, &atoms, Term::small(1 << 59)), None);
        assert_eq!(d.parse(&v, &atoms, Term::small(233)).unwrap().size, 233);
        assert_eq!(d.parse(&v, &atoms, Term::small(0)), Some(d));
        let m = parse(
            &mut heap,
            &mut atoms,
            &[("size", Term::small(1000)), ("kill", atom::FALSE)],
        );
        assert_eq!(
            m,
            Some(MaxHeap {
                size: 1000,
                kill: false,
                error_logger: true
            })
        );
        assert_eq!(parse(&mut heap, &mut atoms, &[("kill", atom::TRUE)]), None);
        let bad_flag = [("size", Term::small(1000)), ("kill", Term::small(1))];
        assert_eq!(parse(&mut heap, &mut atoms, &bad_flag), None);
        let unknown = [("size", Term::small(1000)), ("foo", Term::small(1))];
        assert_eq!(parse(&mut heap, &mut atoms, &unknown).unwrap().size, 1000);
    }

    #[test]
    fn a_collection_over_the_limit_reports_and_kills_as_set() {
        use crate::vm::process::Process;
        for (kill, error_logger) in [(true, true), (false, true), (true, false), (false, false)] {
            let mut p = Process::new(Term::pid(80));
            let list = p.heap.list(&[Term::small(1); 2000]);
            p.set_max_heap(MaxHeap {
                size: 1000,
                kill,
                error_logger,
            });
            let mut x = [list];
            let r = p.collect(&mut x, 0);
            assert_eq!(r.is_err(), kill, "{kill} {error_logger}");
            assert_eq!(p.heap_reports.len(), usize::from(error_logger));
            if let Some(report) = p.heap_reports.first() {
                assert_eq!(report.total, 4000);
                assert_eq!(report.heap_size, 4000);
                // erl's heap size holding 4,000 words, not the collection threshold.
                assert_eq!(report.heap_block_size, 4185);
                assert_ne!(p.heap.limit(), 4185);
            }
            // Without the list the heap is back under the limit.
            let mut none: [Term; 0] = [];
            assert_eq!(p.collect(&mut none, 0), Ok(()));
        }
    }

    #[test]
    fn a_limit_that_kills_makes_the_heap_collect_when_it_passes_it() {
        use crate::vm::process::Process;
        let mut p = Process::new(Term::pid(80));
        // A heap with its room taken: only the thresholds decide.
        p.heap.grow_to(p.heap.room()).unwrap();
        assert!(!p.heap.wants_gc(2000));
        p.set_max_heap(MaxHeap {
            size: 1000,
            ..MaxHeap::default()
        });
        assert!(p.heap.wants_gc(2000));
        assert!(!p.heap.wants_gc(500));
    }

    #[test]
    fn the_report_reads_as_erls() {
        let r = HeapReport {
            max: MaxHeap {
                size: 10000,
                kill: true,
                error_logger: true,
            },
            total: 15137,
            heap_size: 12000,
            heap_block_size: 24000,
            stack_size: 2,
            message_queue_len: 0,
        };
        let text = report_text(Term::pid_from_parts(79, 0).unwrap(), &r);
        let lines: alloc::vec::Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "     Process:            <0.79.0> ");
        assert_eq!(
            lines[1],
            "     Context:            maximum heap size reached"
        );
        assert_eq!(lines[3], "     Total Heap Size:    15137");
        assert_eq!(
            lines[7],
            "     GC Info:            [{old_heap_block_size,0},"
        );
        assert_eq!(
            lines[8],
            "                          {heap_block_size,24000},"
        );
        assert_eq!(
            lines[17],
            "                          {bin_old_vheap_block_size,46422}]"
        );
        assert_eq!(lines.len(), 18);
    }
}
