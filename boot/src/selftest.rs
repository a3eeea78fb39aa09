//! `selftest`: exercises the platform primitives under the real hypervisor.
//!
//! Each check logs one line starting with `selftest:` and either `ok` or `FAILED`; the boot
//! tests look for them. A failure does not stop the others.

use crate::seam::XenPlatform;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use log::{error, info};
use xenbeam::platform::{Page, Platform as _, RingMemory};
use xenbeam_xen::events::Port;
use xenbeam_xen::hypercall;
use xenbeam_xen::mm;
use xenbeam_xen::platform::Platform;

fn report(name: &str, result: Result<String, String>) -> bool {
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
pub fn run(platform: &'static Platform, timer: Port) {
    let results = [
        report("timer", timer_check(platform, timer)),
        report("loopback event channel", loopback_check(platform)),
        report("page pool", pool_check(platform)),
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

fn timer_check(platform: &Platform, timer: Port) -> Result<String, String> {
    let shared = platform.shared_info();
    shared.test_and_clear(timer);
    let start = platform.now_ns();
    let due = start + 3_000_000;
    hypercall::set_timer(due).map_err(|e| format!("set_timer: {e}"))?;
    // Wait with a far deadline: only the timer's event should wake us.
    let limit = start + 1_000_000_000;
    while !shared.test_and_clear(timer) {
        if platform.now_ns() > limit {
            return Err("the timer did not fire within a second".into());
        }
        platform
            .wait_for_events(limit)
            .map_err(|e| format!("poll: {e}"))?;
    }
    let woke = platform.now_ns();
    if woke < due {
        return Err(format!("fired {} us early", (due - woke) / 1000));
    }
    Ok(format!(
        "3 ms one-shot fired after {} us",
        (woke - start) / 1000
    ))
}

fn loopback_check(platform: &'static Platform) -> Result<String, String> {
    let seam = XenPlatform::new(platform);
    let (a, b) = seam
        .loopback_pair()
        .map_err(|e| format!("loopback pair: {e}"))?;
    seam.take_pending(&mut |_| {});
    let outcome = (|| {
        let taken = || {
            let mut seen = Vec::new();
            seam.take_pending(&mut |c| {
                if c == a || c == b {
                    seen.push(c)
                }
            });
            seen
        };
        seam.notify(b).map_err(|e| format!("notify: {e}"))?;
        seam.wait_for_events(Some(seam.now_ns() + 1_000_000_000));
        if taken() != [a] {
            return Err(format!("notifying {b} did not make exactly {a} pending"));
        }
        seam.notify(a).map_err(|e| format!("notify: {e}"))?;
        if taken() != [b] {
            return Err(format!("notifying {a} did not make exactly {b} pending"));
        }
        // Two notifications before a collection coalesce into one event.
        seam.notify(b).map_err(|e| format!("notify: {e}"))?;
        seam.notify(b).map_err(|e| format!("notify: {e}"))?;
        let seen = taken();
        if seen != [a] {
            return Err(format!("expected one coalesced event on {a}, saw {seen:?}"));
        }
        Ok(format!(
            "{a} <-> {b}, both directions, notifications coalesce"
        ))
    })();
    seam.close(a);
    seam.close(b);
    outcome
}

fn pool_check(platform: &'static Platform) -> Result<String, String> {
    let seam = XenPlatform::new(platform);
    let (free_before, total) = mm::pool_counts();
    let one = seam.alloc_page().map_err(|e| format!("{e}"))?;
    let two = seam.alloc_page().map_err(|e| format!("{e}"))?;
    if one.frame() == two.frame() || one.frame() == 0 {
        return Err(format!("bad frames {:#x} {:#x}", one.frame(), two.frame()));
    }
    if mm::pfn_to_mfn(mm::mfn_to_pfn(one.frame())) != one.frame() {
        return Err("p2m and m2p disagree".into());
    }
    if (0..4096).step_by(4).any(|off| one.read_u32(off) != 0) {
        return Err("a fresh page is not zeroed".into());
    }
    one.write_u32(2052, 0xfeed_f00d);
    if one.read_u32(2052) != 0xfeed_f00d || two.read_u32(2052) != 0 {
        return Err("page contents are not independent".into());
    }
    let detail = format!(
        "mfns {:#x} and {:#x}, {} of {} pages free",
        one.frame(),
        two.frame(),
        free_before,
        total
    );
    seam.free_page(one);
    seam.free_page(two);
    if mm::pool_counts().0 != free_before {
        return Err("pool count did not return to where it was".into());
    }
    Ok(detail)
}

fn heap_check() -> Result<String, String> {
    // Allocate and free well over the heap's own size in total.
    let mut total = 0usize;
    for round in 0..64usize {
        let v: Vec<u64> = (0..(64 * 1024)).map(|i| (i + round) as u64).collect();
        total += v.len() * 8;
        if v[1000] != (1000 + round) as u64 {
            return Err("heap memory did not hold its contents".into());
        }
    }
    Ok(format!("{} MiB allocated and freed", total >> 20))
}

fn xenstore_check(platform: &Platform) -> Result<String, String> {
    let mut store = platform.xenstore(2_000_000_000);
    let value = format!("written at {}", platform.now_ns());
    store
        .write("data/xenbeam-selftest", value.as_bytes())
        .map_err(|e| format!("write: {e}"))?;
    let mut buf = [0u8; 64];
    let n = store
        .read("data/xenbeam-selftest", &mut buf)
        .map_err(|e| format!("read: {e}"))?;
    if &buf[..n] != value.as_bytes() {
        return Err("read back a different value".into());
    }
    let mut none = [0u8; 8];
    match store.read("data/xenbeam-no-such-node", &mut none) {
        Err(xenbeam_xen::xenstore::XenstoreError::Server(xenbeam_xen::XenError::NoEntry)) => {}
        other => return Err(format!("missing node gave {other:?}")),
    }
    Ok(format!(
        "{n} bytes round-tripped, ENOENT for a missing node"
    ))
}
