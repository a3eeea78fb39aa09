//! `selftest`: exercises the platform primitives under the real hypervisor.
//!
//! Each check logs one line starting with `selftest:` and either `ok` or `FAILED`; the boot
//! tests look for them. A failure does not stop the others.

use alloc::vec::Vec;
use log::{error, info};
use xenbeam_xen::events::Port;
use xenbeam_xen::hypercall::{self, DOMID_SELF};
use xenbeam_xen::mm;
use xenbeam_xen::pages::PageError;
use xenbeam_xen::platform::Platform;

fn report(name: &str, result: Result<alloc::string::String, alloc::string::String>) -> bool {
    match result {
        Ok(detail) => {
            info!("selftest: {name}: ok ({detail})");
            true
        }
        Err(why) => {
            error!("selftest: {name}: FAILED: {why}");
            false
        }
    }
}

/// Runs every check and logs a summary.
pub fn run(platform: &Platform, timer: Port) {
    let results = [
        report("timer", timer_check(platform, timer)),
        report("loopback event channel", loopback_check(platform)),
        report("page pool", pool_check()),
        report("heap", heap_check()),
        report("xenstore write/read", xenstore_check(platform)),
    ];
    let failed = results.iter().filter(|ok| !**ok).count();
    if failed == 0 {
        info!("selftest: all {} checks passed", results.len());
    } else {
        error!("selftest: {failed} of {} checks FAILED", results.len());
    }
}

fn timer_check(
    platform: &Platform,
    timer: Port,
) -> Result<alloc::string::String, alloc::string::String> {
    let shared = platform.shared_info();
    shared.test_and_clear(timer);
    let start = platform.now_ns();
    let due = start + 3_000_000;
    hypercall::set_timer(due).map_err(|e| alloc::format!("set_timer: {e}"))?;
    // Wait with a far deadline: only the timer's event should wake us.
    let limit = start + 1_000_000_000;
    while !shared.test_and_clear(timer) {
        if platform.now_ns() > limit {
            return Err("the timer did not fire within a second".into());
        }
        platform
            .wait_for_events(limit)
            .map_err(|e| alloc::format!("poll: {e}"))?;
    }
    let woke = platform.now_ns();
    if woke < due {
        return Err(alloc::format!("fired {} us early", (due - woke) / 1000));
    }
    Ok(alloc::format!(
        "3 ms one-shot fired after {} us",
        (woke - start) / 1000
    ))
}

fn loopback_check(platform: &Platform) -> Result<alloc::string::String, alloc::string::String> {
    let e = |what: &str| {
        let what = alloc::string::String::from(what);
        move |err| alloc::format!("{what}: {err}")
    };
    let a = hypercall::evtchn_alloc_unbound(DOMID_SELF).map_err(e("alloc_unbound"))?;
    let b = hypercall::evtchn_bind_interdomain(DOMID_SELF, a).map_err(e("bind_interdomain"))?;
    platform.watch_port(a).map_err(e("watch"))?;
    platform.watch_port(b).map_err(e("watch"))?;
    let shared = platform.shared_info();
    shared.test_and_clear(a);
    shared.test_and_clear(b);
    let outcome = (|| {
        if shared.is_pending(a) || shared.is_pending(b) {
            return Err("ports pending before any send".into());
        }
        hypercall::evtchn_send(b).map_err(e("send"))?;
        platform
            .wait_for_events(platform.now_ns() + 1_000_000_000)
            .map_err(e("poll"))?;
        if !shared.test_and_clear(a) {
            return Err(alloc::format!("send on {b} did not make {a} pending"));
        }
        if shared.is_pending(b) {
            return Err("the sending end became pending".into());
        }
        hypercall::evtchn_send(a).map_err(e("send"))?;
        if !shared.test_and_clear(b) {
            return Err(alloc::format!("send on {a} did not make {b} pending"));
        }
        // Two sends before a test coalesce into one pending bit.
        hypercall::evtchn_send(b).map_err(e("send"))?;
        hypercall::evtchn_send(b).map_err(e("send"))?;
        let mut seen = Vec::new();
        shared.drain_pending(|p| {
            if p == a || p == b {
                seen.push(p)
            }
        });
        if seen != [a] {
            return Err(alloc::format!(
                "expected one coalesced event on {a}, saw {seen:?}"
            ));
        }
        Ok(alloc::format!(
            "{a} <-> {b}, both directions, sends coalesce"
        ))
    })();
    platform.unwatch_port(a);
    platform.unwatch_port(b);
    let _ = hypercall::evtchn_close(b);
    let _ = hypercall::evtchn_close(a);
    outcome
}

fn pool_check() -> Result<alloc::string::String, alloc::string::String> {
    let (free_before, total) = mm::pool_counts();
    let one = mm::alloc_frame().map_err(|e| alloc::format!("{e}"))?;
    let two = mm::alloc_frame().map_err(|e| alloc::format!("{e}"))?;
    if one.va % 4096 != 0 || one.mfn == two.mfn || one.pfn == two.pfn || one.mfn == 0 {
        return Err(alloc::format!("bad frames {one:?} {two:?}"));
    }
    if mm::pfn_to_mfn(one.pfn) != one.mfn || mm::mfn_to_pfn(one.mfn) != one.pfn {
        return Err("p2m and m2p disagree".into());
    }
    let detail = alloc::format!(
        "pfn {:#x} mfn {:#x}, pfn {:#x} mfn {:#x}; {} of {} free",
        one.pfn,
        one.mfn,
        two.pfn,
        two.mfn,
        free_before,
        total
    );
    let copy = mm::Frame {
        pfn: one.pfn,
        mfn: one.mfn,
        va: one.va,
    };
    mm::free_frame(one).map_err(|e| alloc::format!("{e}"))?;
    mm::free_frame(two).map_err(|e| alloc::format!("{e}"))?;
    match mm::free_frame(copy) {
        Err(PageError::DoubleFree(_)) => {}
        other => return Err(alloc::format!("double free not caught: {other:?}")),
    }
    if mm::pool_counts().0 != free_before {
        return Err("pool count changed".into());
    }
    Ok(detail)
}

fn heap_check() -> Result<alloc::string::String, alloc::string::String> {
    // Allocate and free well over the heap's own size in total.
    let mut total = 0usize;
    for round in 0..64usize {
        let v: Vec<u64> = (0..(64 * 1024)).map(|i| (i + round) as u64).collect();
        total += v.len() * 8;
        if v[1000] != (1000 + round) as u64 {
            return Err("heap memory did not hold its contents".into());
        }
    }
    Ok(alloc::format!("{} MiB allocated and freed", total >> 20))
}

fn xenstore_check(platform: &Platform) -> Result<alloc::string::String, alloc::string::String> {
    let mut store = platform.xenstore(2_000_000_000);
    let value = alloc::format!("written at {}", platform.now_ns());
    store
        .write("data/xenbeam-selftest", value.as_bytes())
        .map_err(|e| alloc::format!("write: {e}"))?;
    let mut buf = [0u8; 64];
    let n = store
        .read("data/xenbeam-selftest", &mut buf)
        .map_err(|e| alloc::format!("read: {e}"))?;
    if &buf[..n] != value.as_bytes() {
        return Err("read back a different value".into());
    }
    let mut none = [0u8; 8];
    match store.read("data/xenbeam-no-such-node", &mut none) {
        Err(xenbeam_xen::xenstore::XenstoreError::Server(xenbeam_xen::XenError::NoEntry)) => {}
        other => return Err(alloc::format!("missing node gave {other:?}")),
    }
    Ok(alloc::format!(
        "{n} bytes round-tripped, ENOENT for a missing node"
    ))
}
