//! Typed hypercalls: the only way the kernel talks to Xen.
//!
//! Every function here builds the argument structure a hypercall expects, calls the stub in the
//! hypercall page through [`xenbeam_arch::entry::hypercall`] and turns the result into a
//! `Result`. Callers never see raw pointers.

use crate::error::XenError;
use crate::events::Port;
use xen_sys as sys;

/// Xen's name for "this domain" in domain-id arguments.
pub const DOMID_SELF: u16 = 0x7ff0;

/// Why a domain shuts down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u32)]
pub enum ShutdownReason {
    /// Normal completion.
    Poweroff = sys::SHUTDOWN_poweroff,
    /// Restart me.
    Reboot = sys::SHUTDOWN_reboot,
    /// Something went fatally wrong.
    Crash = sys::SHUTDOWN_crash,
}

fn call(op: u32, a1: u64, a2: u64, a3: u64, a4: u64) -> Result<u64, XenError> {
    let page = xenbeam_arch::entry::hypercall_page();
    // SAFETY: `page` is the hypercall page Xen filled in at load time (HYPERCALL_PAGE note);
    // op < 128 keeps the stub address inside it. The wrappers below pass pointers only to
    // live, correctly laid out structures (xen-sys layouts, or #[repr(C)] copies of Xen's public
    // headers such as RunState) for the duration of the call.
    let ret = unsafe {
        xenbeam_arch::entry::hypercall(page.wrapping_add(op as usize * 32), a1, a2, a3, a4, 0)
    };
    XenError::check(ret)
}

/// SCHEDOP_shutdown: ends the domain. Does not return on success.
pub fn shutdown(reason: ShutdownReason) -> Result<(), XenError> {
    let arg = sys::sched_shutdown {
        reason: reason as u32,
    };
    call(
        sys::__HYPERVISOR_sched_op,
        sys::SCHEDOP_shutdown as u64,
        &arg as *const _ as u64,
        0,
        0,
    )
    .map(|_| ())
}

/// SCHEDOP_poll: sleeps until one of `ports` is pending or system time reaches `deadline_ns`
/// (0: no deadline). Returns at once if a port is already pending.
pub fn poll(ports: &[Port], deadline_ns: u64) -> Result<(), XenError> {
    if ports.len() > 128 {
        return Err(XenError::Invalid);
    }
    // Xen only reads the port array; `Port` is a transparent u32.
    let arg = sys::sched_poll {
        ports: ports.as_ptr() as *mut u32,
        nr_ports: ports.len() as u32,
        timeout: deadline_ns,
    };
    call(
        sys::__HYPERVISOR_sched_op,
        sys::SCHEDOP_poll as u64,
        &arg as *const _ as u64,
        0,
        0,
    )
    .map(|_| ())
}

/// SCHEDOP_yield.
pub fn yield_cpu() {
    // Yield cannot fail in a way that matters to the caller.
    let _ = call(
        sys::__HYPERVISOR_sched_op,
        sys::SCHEDOP_yield as u64,
        0,
        0,
        0,
    );
}

/// set_timer_op: a one-shot VIRQ_TIMER at system time `deadline_ns` (0 cancels).
pub fn set_timer(deadline_ns: u64) -> Result<(), XenError> {
    call(sys::__HYPERVISOR_set_timer_op, deadline_ns, 0, 0, 0).map(|_| ())
}

fn evtchn_op<T>(cmd: u32, arg: &mut T) -> Result<(), XenError> {
    call(
        sys::__HYPERVISOR_event_channel_op,
        cmd as u64,
        arg as *mut T as u64,
        0,
        0,
    )
    .map(|_| ())
}

/// EVTCHNOP_send: notifies the other end of `port`.
pub fn evtchn_send(port: Port) -> Result<(), XenError> {
    evtchn_op(sys::EVTCHNOP_send, &mut sys::evtchn_send { port: port.0 })
}

/// EVTCHNOP_bind_virq: a port for virtual interrupt `virq` on vCPU 0.
pub fn evtchn_bind_virq(virq: u32) -> Result<Port, XenError> {
    let mut arg = sys::evtchn_bind_virq {
        virq,
        vcpu: 0,
        port: 0,
    };
    evtchn_op(sys::EVTCHNOP_bind_virq, &mut arg)?;
    Ok(Port(arg.port))
}

/// EVTCHNOP_alloc_unbound: a port that domain `remote` may bind to.
pub fn evtchn_alloc_unbound(remote: u16) -> Result<Port, XenError> {
    let mut arg = sys::evtchn_alloc_unbound {
        dom: DOMID_SELF,
        remote_dom: remote,
        port: 0,
    };
    evtchn_op(sys::EVTCHNOP_alloc_unbound, &mut arg)?;
    Ok(Port(arg.port))
}

/// EVTCHNOP_bind_interdomain: connects a new local port to `remote_port` of domain `remote`.
pub fn evtchn_bind_interdomain(remote: u16, remote_port: Port) -> Result<Port, XenError> {
    let mut arg = sys::evtchn_bind_interdomain {
        remote_dom: remote,
        remote_port: remote_port.0,
        local_port: 0,
    };
    evtchn_op(sys::EVTCHNOP_bind_interdomain, &mut arg)?;
    Ok(Port(arg.local_port))
}

/// EVTCHNOP_close.
pub fn evtchn_close(port: Port) -> Result<(), XenError> {
    evtchn_op(sys::EVTCHNOP_close, &mut sys::evtchn_close { port: port.0 })
}

/// update_va_mapping: sets the page-table entry for `va` and flushes it from the TLB.
pub fn update_va_mapping(va: u64, pte: u64) -> Result<(), XenError> {
    const UVMF_INVLPG: u64 = 2;
    call(sys::__HYPERVISOR_update_va_mapping, va, pte, UVMF_INVLPG, 0).map(|_| ())
}

/// mmu_update: applies a batch of (machine address of a PTE, new value) updates.
pub fn mmu_update(updates: &[sys::mmu_update]) -> Result<(), XenError> {
    let mut done = 0u32;
    call(
        sys::__HYPERVISOR_mmu_update,
        updates.as_ptr() as u64,
        updates.len() as u64,
        &mut done as *mut u32 as u64,
        DOMID_SELF as u64,
    )
    .map(|_| ())
}

/// How long a vCPU has spent in each of Xen's run states, in nanoseconds of system time
/// (`struct vcpu_runstate_info` of xen/include/public/vcpu.h).
#[derive(Clone, Copy, Debug, Default)]
#[repr(C)]
pub struct RunState {
    /// The state now: 0 running, 1 runnable (waiting for a physical CPU), 2 blocked,
    /// 3 offline.
    pub state: i32,
    /// System time at which the vCPU entered `state`.
    pub state_entry_time: u64,
    /// Time spent in each state, indexed by state; as VCPUOP_get_runstate_info returns it,
    /// the current state's entry counts up to the moment of the call.
    pub time: [u64; 4],
}

/// VCPUOP_get_runstate_info for vCPU `vcpu` of this domain.
pub fn vcpu_runstate(vcpu: u32) -> Result<RunState, XenError> {
    const VCPUOP_GET_RUNSTATE_INFO: u64 = 4;
    let mut info = RunState::default();
    call(
        sys::__HYPERVISOR_vcpu_op,
        VCPUOP_GET_RUNSTATE_INFO,
        vcpu as u64,
        &mut info as *mut RunState as u64,
        0,
    )
    .map(|_| info)
}

/// set_trap_table: installs the exception handlers (a table ending with a zero address).
pub fn set_trap_table(table: &[sys::trap_info]) -> Result<(), XenError> {
    debug_assert!(table.last().is_some_and(|t| t.address == 0));
    call(
        sys::__HYPERVISOR_set_trap_table,
        table.as_ptr() as u64,
        0,
        0,
        0,
    )
    .map(|_| ())
}

/// console_io write: Xen's own console. Refused for domUs on release hypervisors, but a
/// debug Xen prints it, which helps when the ring itself is broken.
pub fn console_io_write(bytes: &[u8]) {
    const CONSOLEIO_WRITE: u64 = 0;
    let _ = call(
        sys::__HYPERVISOR_console_io,
        CONSOLEIO_WRITE,
        bytes.len() as u64,
        bytes.as_ptr() as u64,
        0,
    );
}
