//! BIF continuations: the long BIFs that trap to the stub in module 0 go on here.
//!
//! A BIF that cannot finish in one slice and whose state does not fit its own arguments
//! returns [`Fault::TrapTo`] with a continuation number and three terms of state; the process
//! yields, then the trap stub calls [`resume`], which does one more bounded step and either
//! returns the BIF's result or traps again. The state lives in X registers, so the collector
//! sees it like any other argument; what holds no terms (indices, positions, a buffer
//! being filled) may be kept natively in the process's `trap_state` instead. An error found
//! in a later step is raised with [`Fault::trapped_error`], which names the BIF and the
//! arguments it was given, as erl reports it.

#![forbid(unsafe_code)]

#[cfg(doc)]
use crate::vm::bif::Fault;
use crate::vm::bif::{badarg, BifResult, Ctx};
use crate::vm::term::Term;

/// `term_to_binary/1,2` of a long list: the rest of the list, the encoded chunks so far
/// (binaries, last first) and the number of elements encoded.
pub const TERM_TO_BINARY: i64 = 0;

/// `binary_to_list/1` of a long binary: the binary, the number of its bytes still to turn
/// into list cells (the first ones; the list is built from its end) and the list so far.
/// (Number 1 is `re:run`'s, [`super::re::RE_RUN`].)
pub const BINARY_TO_LIST: i64 = 2;

/// `A ++ B` of a long `A`: `A`, `B` and the copy so far ([`super::lists::append_step`]).
pub const APPEND: i64 = 3;

/// `maps:from_list/1` of a long list ([`super::from_list`]): the list, the pairs collected
/// and the rest of the list or the subtrees built.
pub const MAPS_FROM_LIST: i64 = 4;

/// `list_to_binary/1` of a long iolist ([`super::to_binary`]): the iolist, the walk's
/// stack and the bytes counted (or `[]` while copying).
pub const LIST_TO_BINARY: i64 = 5;

/// `iolist_to_binary/1` of a long iolist, as [`LIST_TO_BINARY`].
pub const IOLIST_TO_BINARY: i64 = 6;

/// `binary:list_to_bin/1` of a long iolist, as [`LIST_TO_BINARY`].
pub const BINARY_LIST_TO_BIN: i64 = 7;

/// `binary:matches/2,3` over a long subject ([`super::binary::search_step`]): the
/// arguments, the matches so far and where the search goes on.
pub const BINARY_MATCHES: i64 = 8;

/// Global `binary:split/3` of a long subject, as [`BINARY_MATCHES`].
pub const BINARY_SPLIT: i64 = 9;

/// `ets:insert/2` of a long list ([`super::ets::insert_step`]): the table, the list and
/// the rest of it (the objects copied so far are native trap state).
pub const ETS_INSERT: i64 = 10;

/// `ets:insert_new/2` of a long list, as [`ETS_INSERT`].
pub const ETS_INSERT_NEW: i64 = 11;

/// `binary:copy/2` of a long result ([`super::binary::copy_step`]): the arguments (the
/// buffer being filled is native trap state).
pub const BINARY_COPY: i64 = 12;

/// `term_to_binary/1,2` of a large tuple ([`super::etf::tuple_to_binary_step`]): the tuple,
/// the encoded chunks so far (last first) and the index of the next element.
pub const TUPLE_TO_BINARY: i64 = 13;

/// `binary_to_term/1,2` of a long list or large tuple
/// ([`super::etf::binary_to_term_step`]): the binary, the elements so far (last first) and
/// where the decoding is.
pub const BINARY_TO_TERM: i64 = 14;

/// A long `ets:select/2`, `match/2`, `match_object/2`, `tab2list/1` or `select_count/2`
/// ([`super::ets::scan_step`]): the table, the specification and the results so far (the
/// operation and the last key visited are native trap state).
pub const ETS_SCAN: i64 = 15;

/// `erlang:md5/1` or `md5_update/2` of a long binary ([`super::md5::md5_step`]): the data
/// and `{Context, Offset, Digest}`.
pub const MD5: i64 = 16;

/// `erlang:crc32/1,2` or `adler32/1,2` of a long binary ([`super::checksum::step`]): the
/// data and `{SoFar, Offset, IsCrc}`.
pub const CHECKSUM: i64 = 17;

/// `erlang:yield/0` ([`super::procs::yield_`]): no state; the step answers `true`.
pub const YIELD: i64 = 18;

/// `term_to_binary/1,2` of a large map ([`super::etf::map_to_binary_step`]): the map, the
/// encoded chunks so far (last first) and the number of pairs written.
pub const MAP_TO_BINARY: i64 = 19;

/// `unicode:characters_to_list/1,2` or `characters_to_binary/1,2` of a long input
/// ([`super::characters::step`]): the arguments, the part being read and the tails of the
/// enclosing lists (the buffer is native trap state).
pub const CHARACTERS: i64 = 20;

/// `binary_to_term/1,2` of a map of 65,536 pairs or more
/// ([`super::etf::binary_to_map_step`]): the binary, the map being filled and where the
/// decoding is.
pub const BINARY_TO_MAP: i64 = 21;

/// `term_to_iovec/1,2` of a long list, a large tuple or a large map: the continuations of
/// `term_to_binary` ([`TERM_TO_BINARY`], [`TUPLE_TO_BINARY`], [`MAP_TO_BINARY`]) keeping
/// the binaries the encoding shares apart, for a list of binaries at the end.
pub const TERM_TO_IOVEC: i64 = 22;
/// See [`TERM_TO_IOVEC`].
pub const TUPLE_TO_IOVEC: i64 = 23;
/// See [`TERM_TO_IOVEC`].
pub const MAP_TO_IOVEC: i64 = 24;

/// `erlang:phash2/1,2` of a large term ([`super::misc::phash2_step`]): the range and the
/// work left (the hash so far is native trap state).
pub const PHASH2: i64 = 25;

/// `erlang:load_module/2`, `delete_module/1` or `purge_module/1` waiting for the node to
/// change the code ([`super::codeload::step`]): which BIF, the module.
pub const CODE_CHANGE: i64 = 26;

/// The trap stub's BIF: one step of continuation `a[0]` with state `a[1..4]`.
pub fn resume(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    match a[0].as_small() {
        Some(TERM_TO_BINARY | TERM_TO_IOVEC) => super::etf::term_to_binary_step(ctx, a),
        #[cfg(any(feature = "re", not(target_os = "none")))]
        Some(super::re::RE_RUN) => super::re::run_step(ctx, a),
        Some(BINARY_TO_LIST) => super::conv::binary_to_list_step(ctx, a),
        Some(APPEND) => super::lists::append_step(ctx, a),
        Some(MAPS_FROM_LIST) => super::from_list::step(ctx, a),
        Some(LIST_TO_BINARY | IOLIST_TO_BINARY | BINARY_LIST_TO_BIN) => {
            super::to_binary::step(ctx, a)
        }
        Some(BINARY_MATCHES | BINARY_SPLIT) => super::binary::search_step(ctx, a),
        #[cfg(any(feature = "ets", not(target_os = "none")))]
        Some(ETS_INSERT | ETS_INSERT_NEW) => super::ets::insert_step(ctx, a),
        Some(BINARY_COPY) => super::binary::copy_step(ctx, a),
        Some(TUPLE_TO_BINARY | TUPLE_TO_IOVEC) => super::etf::tuple_to_binary_step(ctx, a),
        Some(BINARY_TO_TERM) => super::etf::binary_to_term_step(ctx, a),
        #[cfg(any(feature = "ets", not(target_os = "none")))]
        Some(ETS_SCAN) => super::ets::scan_step(ctx, a),
        Some(MD5) => super::md5::md5_step(ctx, a),
        Some(CHECKSUM) => super::checksum::step(ctx, a),
        Some(YIELD) => Ok(crate::vm::atom::TRUE),
        Some(MAP_TO_BINARY | MAP_TO_IOVEC) => super::etf::map_to_binary_step(ctx, a),
        Some(CHARACTERS) => super::characters::step(ctx, a),
        Some(BINARY_TO_MAP) => super::etf::binary_to_map_step(ctx, a),
        Some(PHASH2) => super::misc::phash2_step(ctx, a),
        Some(CODE_CHANGE) => super::codeload::step(ctx, a),
        _ => Err(badarg()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every continuation has a number of its own: two sharing one would resume each
    /// other's state (a patch that adds one beside another can merge without conflict).
    #[test]
    fn continuation_numbers_are_distinct() {
        let all = [
            TERM_TO_BINARY,
            super::super::re::RE_RUN,
            BINARY_TO_LIST,
            APPEND,
            MAPS_FROM_LIST,
            LIST_TO_BINARY,
            IOLIST_TO_BINARY,
            BINARY_LIST_TO_BIN,
            BINARY_MATCHES,
            BINARY_SPLIT,
            ETS_INSERT,
            ETS_INSERT_NEW,
            BINARY_COPY,
            TUPLE_TO_BINARY,
            BINARY_TO_TERM,
            ETS_SCAN,
            MD5,
            CHECKSUM,
            YIELD,
            MAP_TO_BINARY,
            CHARACTERS,
            BINARY_TO_MAP,
            TERM_TO_IOVEC,
            TUPLE_TO_IOVEC,
            MAP_TO_IOVEC,
            PHASH2,
            CODE_CHANGE,
        ];
        for (i, a) in all.iter().enumerate() {
            assert!(!all[i + 1..].contains(a), "continuation {a} used twice");
        }
    }
}
