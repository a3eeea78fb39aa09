//! The BEAM virtual machine: terms, process heaps and garbage collection, the interpreter and BIFs.
//!
//! # Term API (for BIF writers)
//!
//! * [`term::Term`] is one tagged `u64` word. Immediates (small integers, atoms, pids, `[]`) are
//!   built and read directly: `Term::small(5)`, `t.as_small()`, `atom::OK`, `t.is_nil()`.
//! * Everything else lives on a process [`heap::Heap`]: build with `heap.tuple(&[..])`,
//!   `heap.cons(h, t)`, `heap.list(..)`, `heap.float(f)`, `heap.int(i64)`, `heap.bigint(&b)`,
//!   `heap.binary(bytes)`, `heap.map_sorted(pairs)`.
//! * Read through a [`heap::View`] (`heap.view(&literals)`), which also sees the shared
//!   [`literals::Literals`]: `v.tuple(t)`, `v.cons(t)`, `v.float(t)`, `v.int(t)`,
//!   `v.binary(t)`, `v.map_pairs(t)`, `v.list_to_vec(t)`. Copy what you need out of a view
//!   before building new terms (the view borrows the heap).
//! * Order and equality: [`compare::compare`], [`compare::eq`], [`compare::exact_eq`].
//! * Atoms: [`atom::AtomTable::intern`] / `name`; common atoms are constants in [`atom`].
//! * Terms held only in Rust locals do not survive a collection; collections only happen at
//!   safe points in the interpreter (never inside a BIF), so a BIF may hold terms freely.

pub mod atom;
pub mod bif;
pub mod bifs;
pub mod bigmap;
pub mod bits;
pub mod code;
pub mod compare;
pub mod display;
pub mod driver;
pub mod exception;
pub mod ext;
pub mod gc;
pub mod heap;
pub mod interp;
pub mod literals;
pub mod map;
pub mod num;
pub mod ops;
pub mod process;
pub mod term;
#[cfg(test)]
mod tests;
pub mod translate;
