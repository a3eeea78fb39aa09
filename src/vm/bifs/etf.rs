//! `term_to_binary`, `binary_to_term` and `external_size`, through the external term format.

use alloc::vec::Vec;

use crate::etf::{EncodeOptions, ExtTerm};
use crate::vm::atom;
use crate::vm::bif::{badarg, BifResult, Ctx};
use crate::vm::ext::{from_ext, to_ext};
use crate::vm::term::Term;

struct Options {
    compressed: bool,
    minor_version: Option<u8>,
}

fn options(ctx: &Ctx, opts: Option<&Term>) -> Result<Options, crate::vm::bif::Fault> {
    let mut o = Options {
        compressed: false,
        minor_version: None,
    };
    let Some(opts) = opts else {
        return Ok(o);
    };
    let v = ctx.view();
    for x in v.list_to_vec(*opts).ok_or_else(badarg)? {
        if x == atom::COMPRESSED {
            o.compressed = true;
        } else if let Some([k, val]) = v.tuple(x) {
            if *k == atom::COMPRESSED {
                o.compressed = val.as_small().unwrap_or(0) > 0;
            } else if *k == atom::MINOR_VERSION {
                o.minor_version = val.as_small().map(|m| m as u8);
            }
        }
    }
    Ok(o)
}

fn encode(ctx: &Ctx, t: Term, minor: Option<u8>) -> alloc::vec::Vec<u8> {
    let v = ctx.view();
    let ext = to_ext(&v, ctx.atoms, ctx.code, t);
    match minor {
        Some(0) => {
            // minor_version 0: floats in the old 31-byte text form, atoms as with 1.
            let mut out = crate::etf::encode(&ext);
            if let crate::etf::ExtTerm::Float(f) = ext {
                out = alloc::vec![131u8, 99];
                let text = crate::vm::bifs::conv::float_text_default(f);
                let mut field = [0u8; 31];
                for (i, b) in text.bytes().take(31).enumerate() {
                    field[i] = b;
                }
                out.extend_from_slice(&field);
            }
            out
        }
        Some(m) => crate::etf::encode_with(&ext, EncodeOptions { minor_version: m }),
        None => crate::etf::encode(&ext),
    }
}

/// External-format bytes encoded or decoded for one reduction: a long term ends the caller's
/// slice right after.
const BYTES_PER_REDUCTION: usize = 256;

/// `term_to_binary/1,2` (`compressed` and `minor_version` are honoured).
pub fn term_to_binary(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let o = options(ctx, a.get(1))?;
    let mut bytes = encode(ctx, a[0], o.minor_version);
    ctx.charge(bytes.len() / BYTES_PER_REDUCTION);
    if o.compressed && bytes.len() > 1 {
        let body = &bytes[1..];
        let z = miniz_oxide::deflate::compress_to_vec_zlib(body, 6);
        if z.len() + 5 < body.len() {
            let mut out = alloc::vec![131u8, 80];
            out.extend_from_slice(&(body.len() as u32).to_be_bytes());
            out.extend_from_slice(&z);
            bytes = out;
        }
    }
    Ok(ctx.p.heap.binary(bytes))
}

/// `erlang:external_size/1,2`.
pub fn external_size(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let n = encode(ctx, a[0], None).len();
    ctx.charge(n / BYTES_PER_REDUCTION);
    Ok(Term::small(n as i64))
}

/// Whether every atom `ext` names exists already (`binary_to_term/2`'s `safe` creates none).
fn atoms_exist(atoms: &crate::vm::atom::AtomTable, ext: &ExtTerm) -> bool {
    let mut names: Vec<&str> = Vec::new();
    let mut work = alloc::vec![ext];
    while let Some(t) = work.pop() {
        match t {
            ExtTerm::Atom(name) => names.push(name),
            ExtTerm::Tuple(items) => work.extend(items),
            ExtTerm::List(items, tail) => {
                work.extend(items);
                work.push(tail);
            }
            ExtTerm::Map(pairs) => work.extend(pairs.iter().flat_map(|(k, v)| [k, v])),
            ExtTerm::Pid { node, .. }
            | ExtTerm::Port { node, .. }
            | ExtTerm::Reference { node, .. } => names.push(node),
            ExtTerm::ExportFun {
                module, function, ..
            } => names.extend([module.as_str(), function.as_str()]),
            ExtTerm::LocalFun {
                module, pid, free, ..
            } => {
                names.push(module);
                work.push(pid);
                work.extend(free);
            }
            _ => {}
        }
    }
    names.iter().all(|n| atoms.lookup(n).is_some())
}

/// `binary_to_term/1,2` (options `used`, which returns `{Term, BytesUsed}`, and `safe`,
/// which refuses a term naming atoms that do not exist yet).
pub fn binary_to_term(ctx: &mut Ctx, a: &[Term]) -> BifResult {
    let bytes = ctx
        .view()
        .binary_bytes(a[0])
        .ok_or_else(badarg)?
        .into_owned();
    ctx.charge(bytes.len() / BYTES_PER_REDUCTION);
    let opts = match a.get(1) {
        Some(o) => ctx.view().list_to_vec(*o).ok_or_else(badarg)?,
        None => Vec::new(),
    };
    let used = opts.contains(&atom::USED);
    // Bytes after the term are left alone, as erl does; `used` says how many it took. erl
    // sets no nesting limit, and decoding depth costs heap only, so neither does this.
    let (ext, n) =
        crate::etf::decode_prefix_with_depth(&bytes, usize::MAX).map_err(|_| badarg())?;
    if opts.contains(&atom::SAFE) && !atoms_exist(ctx.atoms, &ext) {
        return Err(badarg());
    }
    let t = from_ext(&mut ctx.p.heap, ctx.atoms, ctx.code, &ext).map_err(|_| badarg())?;
    if used {
        Ok(ctx.p.heap.tuple(&[t, Term::small(n as i64)]))
    } else {
        Ok(t)
    }
}
