//! End-to-end tests: modules compiled by `erlc` run on the VM, output compared with erl's.

pub(crate) mod run;
