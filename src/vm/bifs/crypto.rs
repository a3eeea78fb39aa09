//! The hashes of OTP's `crypto` module: `hash/2`, `hash_init/1`, `hash_update/2`,
//! `hash_final/1`, `hash_info/1` and `mac/4` with `hmac`, over [`crate::vm::digest`]; and
//! `strong_rand_bytes/1` over the platform's random source.
//!
//! erl implements these in the crypto NIF library, which this VM cannot load; as BIFs they
//! answer calls to `crypto` before its module is needed. Results and error reasons are
//! erl's (`{badarg, {File, Line}, Text}` as the NIF raises them); a hash state is a binary
//! where erl's is a reference.
//!
//! The image has them only with the `crypto` feature (scripts/build turns it on for a
//! program that calls `crypto`); without it they are not registered (see
//! [`super::CRYPTO`]). The host always has them.

#[cfg(any(feature = "crypto", not(target_os = "none")))]
pub use present::*;

/// The functions themselves.
#[cfg(any(feature = "crypto", not(target_os = "none")))]
mod present {
    use crate::vm::atom;
    use crate::vm::bif::{badarg, BifResult, Ctx, Fault};
    use crate::vm::digest::{self, Algorithm, Digest};
    use crate::vm::term::Term;

    fn iodata(ctx: &Ctx, t: Term) -> Result<alloc::vec::Vec<u8>, Fault> {
        crate::vm::bifs::conv::iolist_output(ctx, t)
    }

    fn algorithm(ctx: &Ctx, t: Term) -> Option<Algorithm> {
        if !t.is_atom() {
            return None;
        }
        Some(match ctx.atoms.name(t) {
            "md5" => Algorithm::Md5,
            "sha" => Algorithm::Sha1,
            "sha224" => Algorithm::Sha224,
            "sha256" => Algorithm::Sha256,
            "sha384" => Algorithm::Sha384,
            "sha512" => Algorithm::Sha512,
            _ => return None,
        })
    }

    /// The NIF's error: `{badarg, {File, Line}, Text}`.
    fn nif_badarg(ctx: &mut Ctx, file: &str, line: i64, text: &str) -> Fault {
        let f = ctx.p.heap.string(file);
        let at = ctx.p.heap.tuple(&[f, Term::small(line)]);
        let t = ctx.p.heap.string(text);
        Fault::error(ctx.p.heap.tuple(&[atom::BADARG, at, t]))
    }

    fn state(ctx: &Ctx, t: Term) -> Option<Digest> {
        Digest::from_bytes(&ctx.view().binary_bytes(t)?)
    }

    /// `crypto:hash/2`.
    pub fn hash(ctx: &mut Ctx, a: &[Term]) -> BifResult {
        let data = iodata(ctx, a[1])?;
        let alg = algorithm(ctx, a[0])
            .ok_or_else(|| nif_badarg(ctx, "hash.c", 108, "Bad digest type"))?;
        ctx.charge(data.len() / 64);
        Ok(ctx.p.heap.binary(digest::digest(alg, &data)))
    }

    /// `crypto:hash_init/1`.
    pub fn hash_init(ctx: &mut Ctx, a: &[Term]) -> BifResult {
        let alg = algorithm(ctx, a[0])
            .ok_or_else(|| nif_badarg(ctx, "hash.c", 142, "Bad digest type"))?;
        Ok(ctx.p.heap.binary(Digest::new(alg).to_bytes()))
    }

    /// `crypto:hash_update/2`.
    pub fn hash_update(ctx: &mut Ctx, a: &[Term]) -> BifResult {
        let data = iodata(ctx, a[1])?;
        let mut d = state(ctx, a[0]).ok_or_else(|| nif_badarg(ctx, "hash.c", 171, "Bad state"))?;
        ctx.charge(data.len() / 64);
        d.update(&data);
        Ok(ctx.p.heap.binary(d.to_bytes()))
    }

    /// `crypto:hash_final/1`.
    pub fn hash_final(ctx: &mut Ctx, a: &[Term]) -> BifResult {
        let d = state(ctx, a[0]).ok_or_else(|| nif_badarg(ctx, "hash.c", 205, "Bad state"))?;
        Ok(ctx.p.heap.binary(d.finish()))
    }

    /// `crypto:hash_info/1`: `#{type => NID, size => Bytes, block_size => Bytes}`, with
    /// OpenSSL's numeric ids as erl gives them.
    pub fn hash_info(ctx: &mut Ctx, a: &[Term]) -> BifResult {
        let alg = algorithm(ctx, a[0]).ok_or_else(badarg)?;
        let nid = match alg {
            Algorithm::Md5 => 4,
            Algorithm::Sha1 => 64,
            Algorithm::Sha224 => 675,
            Algorithm::Sha256 => 672,
            Algorithm::Sha384 => 673,
            Algorithm::Sha512 => 674,
        };
        let keys = ["block_size", "size", "type"].map(|k| ctx.atoms.intern(k));
        let [Ok(bs), Ok(size), Ok(ty)] = keys else {
            return Err(badarg());
        };
        Ok(ctx.p.heap.map_sorted(&[
            (bs, Term::small(alg.block_size() as i64)),
            (size, Term::small(alg.size() as i64)),
            (ty, Term::small(nid)),
        ]))
    }

    /// `crypto:mac/4`: HMAC only (`cmac` and `poly1305` need ciphers this VM does not have).
    pub fn mac(ctx: &mut Ctx, a: &[Term]) -> BifResult {
        let key = iodata(ctx, a[2])?;
        if !(a[0].is_atom() && ctx.atoms.name(a[0]) == "hmac") {
            return Err(nif_badarg(ctx, "mac.c", 233, "Unknown mac algorithm"));
        }
        let alg = algorithm(ctx, a[1])
            .ok_or_else(|| nif_badarg(ctx, "mac.c", 263, "Bad digest algorithm for HMAC"))?;
        let data = iodata(ctx, a[3]).map_err(|_| nif_badarg(ctx, "mac.c", 175, "Bad text"))?;
        ctx.charge(data.len() / 64);
        Ok(ctx.p.heap.binary(digest::hmac(alg, &key, &data)))
    }

    /// `crypto:strong_rand_bytes/1`: N bytes (0 to 2^31-1, as the NIF takes them; else
    /// badarg) from the platform's strong random source ([`crate::vm::bif::Io`]: the host's
    /// kernel, the processor's RDRAND in the image); `low_entropy` without one, as erl when
    /// OpenSSL cannot seed. A size beyond the node's memory is `system_limit`.
    pub fn strong_rand_bytes(ctx: &mut Ctx, a: &[Term]) -> BifResult {
        let n = a[0]
            .as_small()
            .filter(|n| (0..=i64::from(i32::MAX)).contains(n))
            .ok_or_else(badarg)? as usize;
        let mut out = ctx.output_buffer(n)?;
        out.resize(n, 0);
        if !ctx.node.io().strong_random(&mut out) {
            let reason = ctx.atoms.intern("low_entropy").map_err(|_| badarg())?;
            return Err(Fault::error(reason));
        }
        ctx.charge(n / 256);
        Ok(ctx.p.heap.binary(out))
    }
}
