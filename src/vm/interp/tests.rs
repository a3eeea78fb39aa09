//! Unit tests of the dispatch loop's word arithmetic on small integers.

use super::{small_add_sub, small_add_word};
use crate::vm::term::{Term, MAX_SMALL, MIN_SMALL};

/// Word arithmetic on smalls agrees with arithmetic on their values, and gives up exactly
/// when the result leaves the small range or an operand is no small.
#[test]
fn small_sums_on_words_match_values() {
    let vals = [
        0,
        1,
        -1,
        7,
        -8,
        MAX_SMALL,
        MAX_SMALL - 1,
        MIN_SMALL,
        MIN_SMALL + 1,
    ];
    for &a in &vals {
        for &b in &vals {
            for sub in [false, true] {
                let r = if sub { a - b } else { a + b };
                let want = Term::try_small(r);
                let (x, y) = (Term::small(a), Term::small(b));
                assert_eq!(small_add_sub(x, y, sub), want, "{a} {sub} {b}");
                if !sub {
                    assert_eq!(small_add_word(x, b << 3), want, "{a} + {b}");
                }
            }
        }
        assert_eq!(small_add_sub(Term::small(a), Term::NIL, false), None);
        assert_eq!(small_add_sub(Term::NIL, Term::small(a), true), None);
        assert_eq!(small_add_word(Term::NIL, a << 3), None);
    }
}
