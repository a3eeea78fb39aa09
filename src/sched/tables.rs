//! ETS tables of exited processes: deleted, or handed to their heirs; the tables they fixed
//! released; their zlib streams freed; and the process noted, so that the scheduler has the platform close the files it
//! left open.
//!
//! A process that ends on its own (returns or raises) releases its tables before its exit
//! signals go out, so its heir gets `{'ETS-TRANSFER', ...}` before the `'EXIT'` or `'DOWN'`,
//! as in erl. A process ended by a signal is removed deep inside the signal machinery, which
//! cannot reach the VM; [`State::terminate`](super::state::State::terminate) notes it and the
//! loop releases its tables right after, before any other process runs (so no process sees
//! the table of a dead owner, but there the heir's `'ETS-TRANSFER'` follows the `'DOWN'`).

use super::node::Node;
use crate::platform::Platform;
use crate::vm::heap::Heap;

impl<P: Platform> Node<P> {
    /// Deletes or hands over the tables `pid` owns, releases those it fixed, and frees its
    /// zlib streams.
    pub(super) fn release_tables(&mut self, pid: u32) {
        self.ended.push(pid);
        let vm = &mut self.rt.vm;
        vm.zlib.owner_exited(pid);
        vm.ets.release_fixes(pid);
        if !vm.ets.owns_any(pid) {
            return;
        }
        let procs = &self.st.procs;
        let handovers = vm.ets.owner_exited(pid, &|p| procs.contains_key(&p));
        for h in handovers {
            let mut heap = Heap::fragment();
            let msg = vm
                .ets
                .transfer_message(&mut heap, &mut vm.atoms, &vm.lits, &h);
            if self.st.send(h.to, &heap.view(&vm.lits), msg).is_err() {
                // The heir gets the table without the notice rather than the node failing.
                log::warn!("an ETS-TRANSFER message too big for the node's memory was dropped");
            }
        }
    }

    /// Releases the tables of every process the signal machinery removed (and sends the
    /// trace events of the traced ones it ended or left waiting for the node).
    pub(super) fn release_exited(&mut self) {
        if !self.st.trace_due.is_empty() {
            self.trace_due();
        }
        while let Some(pid) = self.st.exited.pop() {
            self.release_tables(pid);
        }
    }
}
