//! The BEAM virtual machine: terms, process heaps and garbage collection, the interpreter and BIFs.
//!
//! # Layout
//!
//! * Terms and memory: [`term`] (the tagged word), [`atom`] (the atom table), [`heap`]
//!   (per-process heap, constructors, [`heap::View`] readers), [`literals`] (module literals,
//!   never collected), [`gc`] (copying collector; [`maxheap`] is erl's `max_heap_size`, checked
//!   after each collection), [`map`] and [`bigmap`] (small flat maps and
//!   large tree maps, ordered by [`maphash`] exactly as erl orders its hash tries), [`bits`]
//!   (bit syntax), [`compare`] (term order), [`display`] (`erlang:display/1`'s format),
//!   [`radix`] (bignums as text in bases 2 to 36 and back),
//!   [`ext`] (external term format bridge), [`persistent`] (the node's persistent terms, in
//!   external form), [`copy`] (copying terms between heaps, for messages), [`phash`] (erl's
//!   portable hashes), [`memory`] (the node's account of heap memory against its budget).
//! * Code: [`translate`] turns the loader's generic instructions into [`ops::Op`]s with
//!   resolved operands; [`code`] holds modules and the export table; [`interp`] is the dispatch
//!   loop; [`exception`] builds stack traces and unwinds; [`process`] is a process's state
//!   ([`mailbox`] its messages and the receive state over them);
//!   [`profile`] counts executed instructions and pairs (with the `op-profile` feature).
//! * Natives: [`bif`] (calling convention, errors, lookup) and [`bifs`] (the implementations).
//! * Tables: [`ets`] holds the node's ETS tables outside every process heap (the `ets` BIFs
//!   in [`bifs`] use them; the scheduler releases a dead owner's tables).
//! * Driving: [`driver::Runtime`] loads modules on demand through a platform-supplied
//!   [`driver::ModuleSource`] and writes output through [`bif::Io`] (console and clock);
//!   nothing here needs std. [`iomod`] is a built-in `io` module writing to the console
//!   until an I/O server process exists.
//!   With many processes, the scheduler runs each one with [`interp::run_with`] and lends
//!   its BIFs a [`services::Services`] object; [`copy`] moves terms between heaps.
//!
//! # Term API (for BIF writers)
//!
//! * [`term::Term`] is one tagged `u64` word. Immediates (small integers, atoms, pids, `[]`) are
//!   built and read directly: `Term::small(5)`, `t.as_small()`, `atom::OK`, `t.is_nil()`.
//! * Everything else lives on a process [`heap::Heap`]: build with `heap.tuple(&[..])`,
//!   `heap.cons(h, t)`, `heap.list(..)`, `heap.float(f)`, `heap.int(i64)`, `heap.bigint(&b)`,
//!   `heap.binary(bytes)`; maps with [`map::from_pairs`] / [`map::update`] (small maps are
//!   flat, larger ones trees: never build map objects by hand).
//! * Read through a [`heap::View`] (`heap.view(&literals)`, or `ctx.view()` in a BIF), which
//!   also sees the shared [`literals::Literals`]: `v.tuple(t)`, `v.cons(t)`, `v.float(t)`,
//!   `v.int(t)`, `v.binary(t)`, `v.map_entries(t)`, `map::get(..)`, `v.list_to_vec(t)`. Copy
//!   what you need out of a view before building new terms (the view borrows the heap).
//! * Order and equality: [`compare::compare`], [`compare::eq`], [`compare::exact_eq`].
//! * Atoms: [`atom::AtomTable::intern`] / `name`; common atoms are constants in [`atom`].
//! * Errors: return [`bif::badarg`], [`bif::badarith`] or [`bif::Fault::error`]; the
//!   interpreter adds erl's `{erlang, F, Args, [{error_info, ...}]}` frame.
//! * Terms held only in Rust locals do not survive a collection; collections only happen at
//!   safe points in the interpreter (never inside a BIF), so a BIF may hold terms freely.
//! * A new BIF is one function `fn(&mut Ctx, &[Term]) -> BifResult` plus one line in
//!   [`bifs::TABLE`]; calls to it are bound at load time.

pub mod atom;
pub mod bif;
pub mod bifs;
pub mod bigmap;
pub mod binbuf;
pub mod bits;
pub mod calltime;
pub mod code;
pub mod compare;
pub mod copy;
pub mod decimal;
pub mod decode;
pub mod dict;
pub mod digest;
pub mod display;
pub mod driver;
pub mod encode;
pub mod ets;
pub mod exception;
pub mod ext;
pub mod fetch;
pub mod files;
pub mod fmath;
pub mod gc;
pub mod heap;
pub mod interp;
pub mod iomod;
pub mod literals;
pub mod mailbox;
pub mod map;
pub mod maphash;
pub mod maxheap;
pub mod memory;
pub mod num;
pub mod ops;
pub mod persistent;
pub mod phash;
pub mod process;
pub mod profile;
pub mod radix;
pub mod regex;
pub mod services;
pub mod small;
pub mod term;
#[cfg(test)]
pub(crate) mod tests;
pub mod trace;
pub mod translate;
pub mod zstream;
