//! ETS: node-wide term tables owned by processes (the `ets` module's state).
//!
//! Tables live in the [`Vm`](super::interp::Vm), outside every process heap: objects are
//! copied in on insert and out on lookup ([`object`]), keys are kept in an owned form with
//! erl's orders ([`key`]), one [`table::Table`] per table. [`matchspec`] runs match
//! specifications (`ets:select/2`, `ets:match/2`) against them.
//!
//! Invariants: every table has a reference number (its id, `ets:whereis/1`'s answer) and an
//! atom name; `names` maps the names of named tables, and only theirs, to ids. A table dies
//! with its owner unless it has a live heir, which then owns it ([`Ets::owner_exited`]); the
//! node calls that before it delivers the owner's exit signals, so no process sees a table
//! whose owner is gone.

pub mod hashed;
pub mod key;
pub mod matchspec;
pub mod object;
pub mod table;

#[cfg(test)]
mod tests;

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use super::atom::AtomTable;
use super::heap::Heap;
use super::literals::Literals;
use super::term::Term;
use table::Table;

use crate::wordmap::WordMap;

/// Why a table operation was refused; every reason is `badarg` to Erlang.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum EtsError {
    /// No table has this id or name.
    NoTable = 1,
    /// The caller may not read or write the table.
    Access = 2,
    /// A named table of this name exists.
    NameTaken = 3,
}

/// A table passed to its heir when its owner died: send `{'ETS-TRANSFER', Tab, From, Data}`.
#[derive(Debug)]
pub struct Handover {
    /// The table.
    pub table: u64,
    /// The heir (now the owner).
    pub to: u32,
    /// The dead owner.
    pub from: u32,
}

/// Every table of the node.
#[derive(Debug, Default)]
pub struct Ets {
    /// Every ETS call looks its table up here, so tables keep a tree of their own: a
    /// [`WideMap`](crate::wordmap::WideMap)'s slot table costs those calls about 70
    /// instructions each.
    tables: BTreeMap<u64, Table>,
    names: WordMap<u32, u64>,
}

impl Ets {
    /// No tables.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a table; refused if it is named and the name is taken.
    pub fn create(&mut self, t: Table) -> Result<(), EtsError> {
        if t.named {
            if self.names.contains_key(t.name.atom_index()) {
                return Err(EtsError::NameTaken);
            }
            self.names.insert(t.name.atom_index(), t.id);
        }
        self.tables.insert(t.id, t);
        Ok(())
    }

    /// The id of the table a name (atom) or reference number names.
    pub fn resolve(&self, name: Option<Term>, reference: Option<u64>) -> Option<u64> {
        match (name, reference) {
            (Some(n), _) => self.names.get(n.atom_index()),
            (None, Some(r)) => self.tables.contains_key(&r).then_some(r),
            _ => None,
        }
    }

    /// A table by id.
    pub fn get(&self, id: u64) -> Option<&Table> {
        self.tables.get(&id)
    }

    /// A table by id, to change.
    pub fn get_mut(&mut self, id: u64) -> Option<&mut Table> {
        self.tables.get_mut(&id)
    }

    /// Takes a table out (to use it alongside the rest of a BIF's context); put it back
    /// with [`Ets::put_back`].
    pub fn take(&mut self, id: u64) -> Option<Table> {
        self.tables.remove(&id)
    }

    /// Returns a table taken with [`Ets::take`].
    pub fn put_back(&mut self, t: Table) {
        self.tables.insert(t.id, t);
    }

    /// Deletes a table.
    pub fn delete(&mut self, id: u64) -> Option<Table> {
        let t = self.tables.remove(&id)?;
        if t.named {
            self.names.remove(t.name.atom_index());
        }
        Some(t)
    }

    /// Renames a table; refused if another named table has the name.
    pub fn rename(&mut self, id: u64, name: Term) -> Result<(), EtsError> {
        let named = self.tables.get(&id).ok_or(EtsError::NoTable)?.named;
        if let Some(other) = self.names.get(name.atom_index()) {
            if other != id {
                return Err(EtsError::NameTaken);
            }
        }
        let t = self.tables.get_mut(&id).ok_or(EtsError::NoTable)?;
        if named {
            self.names.remove(t.name.atom_index());
            self.names.insert(name.atom_index(), id);
        }
        t.name = name;
        Ok(())
    }

    /// Every table id, in creation order.
    pub fn ids(&self) -> Vec<u64> {
        self.tables.keys().copied().collect()
    }

    /// How many tables there are.
    pub fn count(&self) -> usize {
        self.tables.len()
    }

    /// Whether `pid` owns any table.
    pub fn owns_any(&self, pid: u32) -> bool {
        self.tables.values().any(|t| t.owner == pid)
    }

    /// Process `pid` exited: every fixation it held is released.
    pub fn release_fixes(&mut self, pid: u32) {
        for t in self.tables.values_mut() {
            if t.fixes().0.iter().any(|f| f.0 == pid) {
                t.unfix(pid, true);
            }
        }
    }

    /// Process `pid` exited: its tables go to their heirs where `alive` says the heir lives
    /// (and is not `pid`), and are deleted otherwise. Returns the handovers to announce.
    pub fn owner_exited(&mut self, pid: u32, alive: &dyn Fn(u32) -> bool) -> Vec<Handover> {
        let owned: Vec<u64> = self
            .tables
            .values()
            .filter(|t| t.owner == pid)
            .map(|t| t.id)
            .collect();
        let mut out = Vec::new();
        for id in owned {
            let heir = self
                .tables
                .get(&id)
                .and_then(|t| t.heir.as_ref())
                .map(|h| h.0)
                .filter(|&h| h != pid && alive(h));
            match (heir, self.tables.get_mut(&id)) {
                (Some(h), Some(t)) => {
                    t.owner = h;
                    out.push(Handover {
                        table: id,
                        to: h,
                        from: pid,
                    });
                }
                _ => {
                    self.delete(id);
                }
            }
        }
        out
    }

    /// The term that identifies table `id` to Erlang: its name if named, else a reference.
    pub fn tid_term(&self, heap: &mut Heap, id: u64) -> Term {
        match self.tables.get(&id) {
            Some(t) if t.named => t.name,
            _ => heap.reference(id),
        }
    }

    /// Builds the heir's `{'ETS-TRANSFER', Tab, FromPid, HeirData}` for a handover on `heap`.
    pub fn transfer_message(
        &self,
        heap: &mut Heap,
        atoms: &mut AtomTable,
        lits: &Literals,
        h: &Handover,
    ) -> Term {
        let tag = atoms
            .intern("ETS-TRANSFER")
            .unwrap_or(super::atom::UNDEFINED);
        let tab = self.tid_term(heap, h.table);
        let data = match self.tables.get(&h.table).and_then(|t| t.heir.as_ref()) {
            Some((_, d)) => d.copy_to(lits, heap),
            None => super::atom::UNDEFINED,
        };
        heap.tuple(&[tag, tab, Term::pid(h.from), data])
    }
}
