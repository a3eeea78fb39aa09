//! Unit tests of the engine: syntax, semantics and its bounds.

use alloc::vec::Vec;

use super::{opt, CompileError, MatchError, Progress, Regex, Run, Search};

/// The capture slots of the first match of `pat` in `s` from 0, as (start, end) pairs.
fn find(pat: &str, options: u32, s: &str) -> Option<Vec<Option<(usize, usize)>>> {
    let re = Regex::compile(pat.as_bytes(), options).expect("compiles");
    let mut steps = 0;
    let slots = re
        .exec(s.as_bytes(), &Run::new(0), &mut steps)
        .expect("runs")?;
    Some(slots.chunks(2).map(|p| p[0].zip(p[1])).collect())
}

/// The whole match of `pat` in `s`.
fn whole(pat: &str, s: &str) -> Option<(usize, usize)> {
    find(pat, 0, s).map(|c| c[0].expect("whole match"))
}

fn compile_error(pat: &str) -> (CompileError, usize) {
    match Regex::compile(pat.as_bytes(), 0) {
        Ok(_) => panic!("{pat} compiles"),
        Err(e) => (e.error, e.offset),
    }
}

#[test]
fn literals_classes_and_anchors() {
    assert_eq!(whole("b+", "abbbc"), Some((1, 4)));
    assert_eq!(whole("[a-c]{2}", "xxbcz"), Some((2, 4)));
    assert_eq!(whole("[^a-c]", "abcd"), Some((3, 4)));
    assert_eq!(whole("\\d+", "ab123c"), Some((2, 5)));
    assert_eq!(whole("^b", "ab"), None);
    assert_eq!(whole("b$", "ab\n"), Some((1, 2)));
    assert_eq!(whole("[[:alpha:]]+", "12ab3"), Some((2, 4)));
    assert_eq!(whole("a.c", "a\nc abc"), Some((4, 7)));
    assert_eq!(whole("\\bfoo\\b", "afoo foo"), Some((5, 8)));
}

#[test]
fn groups_alternation_and_backreferences() {
    let c = find("(a|b)(c)?d", 0, "xbd").expect("matches");
    assert_eq!(c, [Some((1, 3)), Some((1, 2)), None]);
    assert_eq!(whole("(a+)b\\1", "aabaa"), Some((0, 5)));
    assert_eq!(whole("(?<x>a)\\k<x>", "baa"), Some((1, 3)));
    assert_eq!(whole("(?i)ABC", "xabc"), Some((1, 4)));
    assert_eq!(whole("a(?=b)", "acab"), Some((2, 3)));
    assert_eq!(whole("a(?!b)", "abac"), Some((2, 3)));
    assert_eq!(whole("(?<=x|yz)a", "yza"), Some((2, 3)));
    assert_eq!(whole("(?<!x)a", "xaa"), Some((2, 3)));
    assert_eq!(whole("(?>a+)b", "aaab"), Some((0, 4)));
    assert_eq!(whole("(?>a+)a", "aaaa"), None);
    assert_eq!(whole("a++a", "aaaa"), None);
    assert_eq!(whole("a*?b", "aab"), Some((0, 3)));
    assert_eq!(whole("(a|ab)(c|bcd)(d*)", "abcd"), Some((0, 4)));
    assert_eq!(whole("(a)?(?(1)b|c)", "c"), Some((0, 1)));
    assert_eq!(whole("x{2,3}", "xxxx"), Some((0, 3)));
    assert_eq!(whole("(?:ab){2,}?", "ababab"), Some((0, 4)));
}

#[test]
fn empty_iterations_end_a_loop() {
    assert_eq!(whole("(a*)*b", "aab"), Some((0, 3)));
    assert_eq!(whole("(a?)+$", "aa"), Some((0, 2)));
    assert_eq!(whole("(?:)*x", "x"), Some((0, 1)));
}

#[test]
fn unicode_subjects() {
    let c = find("é+", opt::UTF, "aééb").expect("matches");
    assert_eq!(c[0], Some((1, 5)));
    let c = find("\\x{e9}.", opt::UTF, "é€").expect("matches");
    assert_eq!(c[0], Some((0, 5)));
    assert_eq!(
        find("É", opt::UTF | opt::CASELESS, "é").map(|c| c[0]),
        Some(Some((0, 2)))
    );
}

#[test]
fn compile_errors_as_pcre_reports_them() {
    assert_eq!(compile_error("(abc"), (CompileError::MissingParen, 4));
    assert_eq!(compile_error("abc)"), (CompileError::UnmatchedParen, 3));
    assert_eq!(compile_error("*a"), (CompileError::NothingToRepeat, 0));
    assert_eq!(compile_error("a**"), (CompileError::NothingToRepeat, 2));
    assert_eq!(compile_error("[abc"), (CompileError::MissingBracket, 4));
    assert_eq!(compile_error("[z-a]"), (CompileError::RangeOrder, 3));
    assert_eq!(compile_error("a{3,2}"), (CompileError::QuantifierOrder, 5));
    assert_eq!(compile_error("(a)\\2"), (CompileError::NoSuchGroup, 5));
    assert_eq!(
        compile_error("(?<=a+)b"),
        (CompileError::LookbehindNotFixed, 6)
    );
    assert_eq!(
        compile_error("[[:foo:]]"),
        (CompileError::UnknownPosixClass, 3)
    );
}

/// A pattern nested far deeper than any native stack allows is an error, not a crash.
#[test]
fn deep_nesting_is_a_compile_error() {
    let deep: Vec<u8> = core::iter::repeat_n(b'(', 100_000)
        .chain(core::iter::repeat_n(b')', 100_000))
        .collect();
    let e = Regex::compile(&deep, 0).err();
    assert_eq!(e.map(|e| e.error), Some(CompileError::TooDeep));
}

/// A catastrophic pattern stops at the match limit instead of running for ever.
#[test]
fn catastrophic_backtracking_stops_at_the_limit() {
    let re = Regex::compile(b"(a*)*b", 0).expect("compiles");
    let subject = alloc::vec![b'a'; 10_000];
    let mut steps = 0;
    let r = re.exec(&subject, &Run::new(0), &mut steps);
    assert_eq!(r, Err(MatchError::MatchLimit));
    assert!(steps <= 10_000_001);
}

/// The match limit holds for each start position on its own, as PCRE's: a search whose
/// start positions each stay under it ends without a match, however many steps they take
/// together.
#[test]
fn the_match_limit_counts_each_start_position() {
    let re = Regex::compile(b"(?:a|b)*c", 0).expect("compiles");
    // Longer than REQUIRED_WINDOW, so the missing `c` is not looked for at first.
    let subject = alloc::vec![b'a'; 1200];
    let mut first = Run::new(0);
    first.flags = opt::ANCHORED;
    let mut most = 0;
    assert_eq!(re.exec(&subject, &first, &mut most), Ok(None));
    let mut run = Run::new(0);
    run.match_limit = most;
    let mut total = 0;
    assert_eq!(re.exec(&subject, &run, &mut total), Ok(None));
    assert!(
        total > 10 * most,
        "{total} steps, {most} from the first start"
    );
    run.match_limit = most - 1;
    assert_eq!(
        re.exec(&subject, &run, &mut total),
        Err(MatchError::MatchLimit)
    );
}

/// A backtrack stack beyond its budget fails the run.
#[test]
fn backtrack_stack_is_bounded() {
    let re = Regex::compile(b"(?:a|b)*c", 0).expect("compiles");
    let subject = alloc::vec![b'a'; 100_000];
    let mut run = Run::new(0);
    run.memory = 64 * 1024;
    let mut steps = 0;
    assert_eq!(re.exec(&subject, &run, &mut steps), Err(MatchError::Memory));
}

/// Counted repeats copy their body; a program past the size limit is refused.
#[test]
fn huge_programs_are_refused() {
    let e = Regex::compile(b"(?:(?:ab){1000}){1000}", 0).err();
    assert_eq!(e.map(|e| e.error), Some(CompileError::TooLarge));
}

/// A hopeless search near the end of the subject gives up at once when a character every
/// match needs is missing (PCRE's rule, which erl's answers under the match limit follow).
#[test]
fn missing_required_character_ends_the_search() {
    let re = Regex::compile(b"(a*)*b", 0).expect("compiles");
    let mut steps = 0;
    let r = re.exec(&[b'a'; 30], &Run::new(0), &mut steps);
    assert_eq!(r, Ok(None));
    assert_eq!(steps, 0);
    // Optional or alternative literals are not required.
    assert_eq!(whole("(a*)*b?", "aa"), Some((0, 2)));
    assert_eq!(whole("x|a", "a"), Some((0, 1)));
    assert_eq!(whole("xy*", "ax"), Some((1, 2)));
}

#[test]
fn caseless_pairs_beyond_latin1() {
    let c = find("σ", opt::UTF | opt::CASELESS, "Σ").map(|c| c[0]);
    assert_eq!(c, Some(Some((0, 2))));
    let c = find("ж", opt::UTF | opt::CASELESS, "Ж").map(|c| c[0]);
    assert_eq!(c, Some(Some((0, 2))));
    let c = find("ł", opt::UTF | opt::CASELESS, "Ł").map(|c| c[0]);
    assert_eq!(c, Some(Some((0, 2))));
}

/// A search resumed after every few units of work ends exactly as one run in one go:
/// same captures, same limit errors, same step count.
#[test]
fn sliced_searches_end_as_whole_ones() {
    let cases: [(&[u8], u32, &[u8], u64); 8] = [
        (b"(a|b)(c)?d", 0, b"xxxxxxbd", 10_000_000),
        (b"^(a+)+$", 0, b"aaaaaaaaaaaaX", 10_000_000),
        (b"^(a+)+$", 0, b"aaaaaaaaaaaaaaaaX", 5_000),
        (b"(?>a+)b|(?=c)c(?!d)", 0, b"aaaacaaab", 10_000_000),
        (b"(\\w+)\\s\\1", 0, b"xy ab ab", 10_000_000),
        (b"(?<=x|yz)a+?", 0, b"yzaaa", 10_000_000),
        (b"^b", opt::MULTILINE | opt::FIRSTLINE, b"a\nb", 10_000_000),
        ("é(.)".as_bytes(), opt::UTF, "aaéé€".as_bytes(), 10_000_000),
    ];
    for (pattern, options, subject, limit) in cases {
        let re = Regex::compile(pattern, options).expect("compiles");
        let mut run = Run::new(0);
        run.match_limit = limit;
        let mut steps = 0;
        let whole = re.exec(subject, &run, &mut steps);
        for budget in [1, 2, 7, 100] {
            let mut search = Search::new(&re, run.clone());
            let mut pauses = 0;
            let sliced = loop {
                match search.resume(&re, subject, budget) {
                    Ok(Progress::Paused) => pauses += 1,
                    Ok(Progress::Done(m)) => break Ok(m),
                    Err(e) => break Err(e),
                }
            };
            assert_eq!(sliced, whole, "{pattern:?} with budget {budget}");
            assert_eq!(search.steps(), steps, "{pattern:?} with budget {budget}");
            assert!(budget > 1 || pauses > 0, "{pattern:?} never paused");
        }
    }
}

#[test]
fn subroutine_calls_and_recursion() {
    let balanced = "\\((?:[^()]|(?R))*\\)";
    assert_eq!(whole(balanced, "x(a(b)c)y"), Some((1, 8)));
    assert_eq!(whole(balanced, "((a)"), Some((1, 4)));
    let c = find("^((.)(?1)\\2|.?)$", 0, "abcba").expect("matches");
    assert_eq!(c, [Some((0, 5)), Some((0, 5)), Some((0, 1))]);
    assert_eq!(whole("^((.)(?1)\\2|.?)$", "abcda"), None);
    assert_eq!(whole("(?<l>[a-z])\\d(?&l)", "a1b"), Some((0, 3)));
    assert_eq!(whole("([a-z])\\d\\g<-1>", "a1b"), Some((0, 3)));
    assert_eq!(whole("(?+1)(xy)", "xyxy"), Some((0, 4)));
    assert_eq!(
        whole("^(?&d)-(?&d)$(?(DEFINE)(?<d>\\d+))", "12-345"),
        Some((0, 6))
    );
    assert_eq!(whole("(?<n>a){0}(?&n)b", "ab"), Some((0, 2)));
    // Captures set in a call are undone when it returns.
    let c = find("(a|b)(?1)", 0, "ab").expect("matches");
    assert_eq!(c, [Some((0, 2)), Some((0, 1))]);
    // A call is atomic once it returns.
    assert_eq!(whole("^(?1)c(a|ab)", "abcab"), None);
    assert_eq!(whole("(a+)(?1)", "aaa"), Some((0, 3)));
}

#[test]
fn conditions_branch_resets_and_verbs() {
    assert_eq!(whole("(?(?=a)ab|cd)", "xcd"), Some((1, 3)));
    assert_eq!(whole("(?(?<!x)1|2)", "y1"), Some((1, 2)));
    assert_eq!(whole("(?(R)a|x(?R))", "xa"), Some((0, 2)));
    let c = find("(?|(a)|(b))(c)", 0, "bc").expect("matches");
    assert_eq!(c, [Some((0, 2)), Some((0, 1)), Some((1, 2))]);
    assert_eq!(whole("a(*SKIP)(*FAIL)|b", "aaab"), Some((3, 4)));
    assert_eq!(whole("a+(*COMMIT)b", "aaacb"), None);
    assert_eq!(whole("a+(*PRUNE)c|b", "aaabc"), Some((3, 4)));
    assert_eq!(whole("^(?:a(*THEN)b|ac)$", "ac"), Some((0, 2)));
    assert_eq!(whole("(?(DEFINE)(a(*THEN)b|ac))^(?1)$", "ac"), None);
    assert_eq!(whole("a(*ACCEPT)b", "ac"), Some((0, 1)));
    assert_eq!(whole("a(*MARK:x)b(*SKIP:x)x|ab", "abcab"), None);
}

#[test]
fn compile_errors_of_calls_and_verbs() {
    use CompileError::*;
    assert_eq!(compile_error("(?1"), (RecursionSyntax, 3));
    assert_eq!(compile_error("(?1)"), (NoSuchGroup, 3));
    assert_eq!(compile_error("(?&nosuch)"), (NoSuchGroup, 9));
    assert_eq!(compile_error("(?R)"), (RecursionLoop, 3));
    assert_eq!(compile_error("(a|(?R)b)"), (RecursionLoop, 6));
    assert_eq!(compile_error("(?&)"), (NameExpected, 3));
    assert_eq!(compile_error("(?(DEFINE)a|b)"), (DefineBranches, 13));
    assert_eq!(compile_error("(?|(?<a>x)|(?<b>y))"), (DifferentNames, 15));
    assert_eq!(compile_error("(*BOGUS)"), (UnknownVerb, 7));
    assert_eq!(compile_error("(*COMMIT:x)"), (VerbArgument, 10));
    assert_eq!(compile_error("(*MARK)"), (MarkArgument, 6));
    assert_eq!(compile_error("(?(?:a)b)"), (AssertionExpected, 3));
    // In a conditional group the check is left to the matcher.
    assert!(Regex::compile(b"(?(R)a|(?R))", 0).is_ok());
}

/// A recursion that makes no progress ends the run (PCRE's recursion loop), however it
/// gets back to where it was: directly, mutually, or stepping back with a lookbehind.
#[test]
fn recursion_without_progress_stops() {
    for pat in [
        &b"(?(R)(?R)|(?R))|b"[..],
        b"((?2))((?1))",
        b"(?(DEFINE)(?<a>(?&a)))(?&a)",
        b"(?(R)(?<=(.))(?R)|.(?R))",
    ] {
        let re = Regex::compile(pat, 0).expect("compiles");
        let mut steps = 0;
        let r = re.exec(b"abab", &Run::new(0), &mut steps);
        assert_eq!(r, Err(MatchError::RecursionLoop), "{pat:?}");
        assert!(steps < 100, "{pat:?}: {steps} steps");
    }
    // Exponential work through calls meets the match limit.
    let re = Regex::compile(b"^(?:(a|aa)(?1)*)*$", 0).expect("compiles");
    let mut subject = alloc::vec![b'a'; 30];
    subject.push(b'!');
    let mut steps = 0;
    let r = re.exec(&subject, &Run::new(0), &mut steps);
    assert_eq!(r, Err(MatchError::MatchLimit));
}

/// Calls are frames on the backtrack stack: deep recursion on a long subject works within
/// a generous budget, in time linear in the subject, and fails cleanly beyond a small one.
#[test]
fn deep_recursion_is_bounded_by_the_budget() {
    let n = 100_000;
    let mut subject = alloc::vec![b'('; n];
    subject.extend(core::iter::repeat_n(b')', n));
    for pat in [&b"\\((?:[^()]|(?R))*\\)"[..], b"^(\\((?1)*\\))$"] {
        let re = Regex::compile(pat, 0).expect("compiles");
        let mut run = Run::new(0);
        run.memory = 64 << 20;
        let mut steps = 0;
        let r = re.exec(&subject, &run, &mut steps).expect("runs");
        assert_eq!(r.map(|s| (s[0], s[1])), Some((Some(0), Some(2 * n))));
        assert!(steps < 10 * n as u64, "{steps} steps");
        let mut search = Search::new(&re, run.clone());
        assert_eq!(
            search
                .resume(&re, &subject, u64::MAX)
                .map(|p| p != Progress::Paused),
            Ok(true)
        );
        assert!(search.bytes() <= 64 << 20);
        run.memory = 1 << 20;
        let r = re.exec(&subject, &run, &mut steps);
        assert_eq!(r, Err(MatchError::Memory));
    }
}

/// Searches with calls and verbs resumed after every few units of work end as whole ones.
#[test]
fn sliced_searches_with_calls_and_verbs() {
    let cases: [(&[u8], &[u8]); 7] = [
        (b"\\((?:[^()]|(?R))*\\)", b"x((a)(b(c)))y"),
        (b"^((.)(?1)\\2|.?)$", b"abcdcba"),
        (b"(?<l>[a-z])\\d(?&l)", b"1a1b"),
        (b"a(*SKIP)(*FAIL)|b", b"aaab"),
        (b"^(?:a(*THEN)b|ac)$", b"ac"),
        (b"(?(?=a)ab|cd)", b"xxcd"),
        (b"(?|(a)|(b))(?1)c", b"xbac"),
    ];
    for (pattern, subject) in cases {
        let re = Regex::compile(pattern, 0).expect("compiles");
        let run = Run::new(0);
        let mut steps = 0;
        let whole = re.exec(subject, &run, &mut steps);
        assert!(matches!(whole, Ok(Some(_))), "{pattern:?}");
        for budget in [1, 3, 10] {
            let mut search = Search::new(&re, run.clone());
            let sliced = loop {
                match search.resume(&re, subject, budget) {
                    Ok(Progress::Paused) => {}
                    Ok(Progress::Done(m)) => break Ok(m),
                    Err(e) => break Err(e),
                }
            };
            assert_eq!(sliced, whole, "{pattern:?} with budget {budget}");
            assert_eq!(search.steps(), steps, "{pattern:?} with budget {budget}");
        }
    }
}

/// A lookbehind may call a group defined after it; its length is settled at the end.
#[test]
fn lookbehinds_calling_later_groups() {
    assert_eq!(
        whole("(?<=(?&w))\\s(?(DEFINE)(?<w>\\w{3}))", "ab abc d"),
        Some((6, 7))
    );
    assert_eq!(
        whole("(?<=x(?1)|(?2)y)z(a)(bc)", "xaz bcyzabc"),
        Some((7, 11))
    );
    assert_eq!(
        compile_error("(?<=(?1))(a+)"),
        (CompileError::LookbehindNotFixed, 13)
    );
    assert_eq!(
        compile_error("(a(?<=(?1)))"),
        (CompileError::LookbehindNotFixed, 12)
    );
}

/// `(*LIMIT_MATCH=n)` lowers the caller's limit; `(*NO_START_OPT)` makes `(*COMMIT)` see
/// every start position.
#[test]
fn leading_limits_and_start_options() {
    let re = Regex::compile(b"(*LIMIT_MATCH=1000)(a|b)*c", 0).expect("compiles");
    let mut steps = 0;
    let r = re.exec(&[b'a'; 2000], &Run::new(0), &mut steps);
    assert_eq!(r, Err(MatchError::MatchLimit));
    assert_eq!(whole("(*COMMIT)ABC", "xyzABC"), Some((3, 6)));
    assert_eq!(whole("(*NO_START_OPT)(*COMMIT)ABC", "xyzABC"), None);
}

/// The whole match of `pat` in `s` with `options` (UTF mode added).
fn whole_utf(pat: &str, options: u32, s: &str) -> Option<(usize, usize)> {
    find(pat, options | opt::UTF, s).map(|c| c[0].expect("whole match"))
}

#[test]
fn unicode_properties() {
    assert_eq!(whole_utf("\\p{L}+", 0, "12 Ünï!"), Some((3, 8)));
    assert_eq!(whole_utf("\\p{Lu}\\p{Ll}+", 0, "a Γειά"), Some((2, 10)));
    assert_eq!(whole_utf("\\p{L&}+", 0, "中ǅa"), Some((3, 6)));
    assert_eq!(whole_utf("\\pN+", 0, "x١٢Ⅻ½"), Some((1, 10)));
    assert_eq!(whole_utf("\\P{L}+", 0, "ab12cd"), Some((2, 4)));
    assert_eq!(whole_utf("\\p{^L}+", 0, "ab12cd"), Some((2, 4)));
    assert_eq!(whole_utf("\\P{^Nd}+", 0, "ab12cd"), Some((2, 4)));
    assert_eq!(whole_utf("[\\p{Greek}\\d]+", 0, "abγ1δ"), Some((2, 7)));
    assert_eq!(whole_utf("[^\\p{Cyrillic}\\s]+", 0, "да ok"), Some((5, 7)));
    assert_eq!(whole_utf("\\p{Han}+", 0, "kanji 漢字"), Some((6, 12)));
    assert_eq!(whole_utf("\\p{Mn}", 0, "e\u{301}"), Some((1, 3)));
    assert_eq!(whole_utf("\\p{Xwd}+", 0, "- a_1é"), Some((2, 7)));
    assert_eq!(whole_utf("\\p{Xsp}", 0, "a\u{2003}"), Some((1, 4)));
    assert_eq!(whole_utf("\\p{Xuc}", 0, "ab$"), Some((2, 3)));
    // Unicode 7.0: U+20BD is a currency sign, U+20BE (8.0) is unassigned.
    assert_eq!(whole_utf("\\p{Sc}", 0, "\u{20be}\u{20bd}"), Some((3, 6)));
    assert_eq!(whole_utf("\\p{Cn}", 0, "\u{20bd}\u{20be}"), Some((3, 6)));
    // Case does not matter to a property.
    assert_eq!(whole_utf("\\p{Lu}", opt::CASELESS, "aB"), Some((1, 2)));
    // Bytes are Latin-1 code points: é's UTF-8 is Ã (a letter) and © (a symbol).
    assert_eq!(
        find("\\p{L}+", 0, "1\u{e9}").map(|c| c[0]),
        Some(Some((1, 2)))
    );
    assert_eq!(
        find("\\p{So}", 0, "1\u{e9}").map(|c| c[0]),
        Some(Some((2, 3)))
    );
}

#[test]
fn unicode_property_errors() {
    for (pat, error, offset) in [
        ("\\p{Foo}", CompileError::UnknownProperty, 6),
        ("ab\\P{Foo}", CompileError::UnknownProperty, 8),
        ("\\p{Ahom}", CompileError::UnknownProperty, 7),
        ("\\p{latin}", CompileError::UnknownProperty, 8),
        ("\\pl", CompileError::UnknownProperty, 2),
        ("\\p{}", CompileError::UnknownProperty, 3),
        ("\\p{Xan", CompileError::MalformedProperty, 6),
        ("\\p", CompileError::MalformedProperty, 2),
        ("[a-\\p{Lu}]", CompileError::InvalidRange, 4),
    ] {
        assert_eq!(compile_error(pat), (error, offset), "{pat}");
    }
    assert_eq!(
        CompileError::UnknownProperty.message(),
        "unknown property name after \\P or \\p"
    );
}

#[test]
fn ucp_classes() {
    let ucp = opt::UCP;
    assert_eq!(whole_utf("\\w+", 0, "éte"), Some((2, 4)));
    assert_eq!(whole_utf("\\w+", ucp, "été"), Some((0, 5)));
    assert_eq!(whole_utf("\\d+", ucp, "x١٢"), Some((1, 5)));
    assert_eq!(whole_utf("\\d+", 0, "x١٢3"), Some((5, 6)));
    assert_eq!(whole_utf("\\s", ucp, "a\u{a0}"), Some((1, 3)));
    assert_eq!(whole_utf("\\bδ", ucp, "αδ δ"), Some((5, 7)));
    assert_eq!(whole_utf("[[:alpha:]]+", ucp, "1Ωμέγα"), Some((1, 11)));
    assert_eq!(whole_utf("[[:upper:]]+", ucp, "aΩΣb"), Some((1, 5)));
    assert_eq!(
        whole_utf("[[:lower:]]+", ucp | opt::CASELESS, "1ΩΣb"),
        Some((1, 6))
    );
    assert_eq!(whole_utf("[[:punct:]]", ucp, "a«"), Some((1, 3)));
    assert_eq!(whole_utf("(*UCP)\\w+", 0, "été"), Some((0, 5)));
}

#[test]
fn unicode_caseless() {
    let i = opt::CASELESS;
    assert_eq!(whole_utf("σίσυφος", i, "ΣΊΣΥΦΟΣ"), Some((0, 14)));
    assert_eq!(whole_utf("москва", i, "МОСКВА"), Some((0, 12)));
    assert_eq!(whole_utf("բարեւ", i, "ԲԱՐԵՒ"), Some((0, 10)));
    // Caseless sets of three and four: K k and the Kelvin sign; θ Θ ϑ ϴ.
    assert_eq!(whole_utf("k", i, "\u{212a}"), Some((0, 3)));
    assert_eq!(whole_utf("[\u{212a}]", i, "K"), Some((0, 1)));
    assert_eq!(whole_utf("ϑ+", i, "Θθϴϑ"), Some((0, 8)));
    assert_eq!(whole_utf("[^σ]", i, "Σσς"), None);
    assert_eq!(whole_utf("(ς)\\1", i, "σΣ"), Some((0, 4)));
    assert_eq!(whole_utf("[\u{1c4}-\u{1c4}]+", i, "ǄǅǆX"), Some((0, 6)));
    // Named sets are Latin-1 bitmaps in PCRE: the Kelvin sign is not ASCII caselessly.
    assert_eq!(whole_utf("[[:ascii:]]", i, "\u{212a}"), None);
    // Outside UTF mode, Latin-1's pairs only.
    assert_eq!(find("(?i)\u{ff}", 0, "\u{178}"), None);
}

#[test]
fn grapheme_clusters() {
    assert_eq!(whole_utf("\\X", 0, "e\u{301}\u{302}x"), Some((0, 5)));
    assert_eq!(whole_utf("\\X", 0, "\r\nx"), Some((0, 2)));
    assert_eq!(whole_utf("^\\X{3}$", 0, "한국어"), Some((0, 9)));
    assert_eq!(
        whole_utf("\\X", 0, "\u{1100}\u{1161}\u{11a8}"),
        Some((0, 9))
    );
    assert_eq!(whole_utf("\\X", 0, "\u{1f1eb}\u{1f1f7}"), Some((0, 8)));
    assert_eq!(whole_utf("\\X", 0, "\u{1}\u{300}"), Some((0, 1)));
    assert_eq!(whole_utf("\\X", 0, ""), None);
    assert_eq!(whole_utf("[\\X]", 0, "aX"), Some((1, 2)));
    assert_eq!(
        compile_error("(?<=\\X)a"),
        (CompileError::LookbehindNotFixed, 6)
    );
}
