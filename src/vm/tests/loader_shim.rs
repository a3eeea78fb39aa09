//! A minimal `.beam` reader for the VM's own tests, used until the real loader lands.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use num_bigint::BigInt;

use crate::etf::ExtTerm;
use crate::loader::{Export, Import, Instruction, Lambda, Module, Operand};

struct Rd<'a> {
    b: &'a [u8],
    i: usize,
}

impl Rd<'_> {
    fn u8(&mut self) -> u8 {
        let v = self.b[self.i];
        self.i += 1;
        v
    }
    fn u32(&mut self) -> u32 {
        let v = u32::from_be_bytes(self.b[self.i..self.i + 4].try_into().unwrap());
        self.i += 4;
        v
    }
    fn raw(&mut self, tag: u8, first: u8) -> (u8, Result<i64, BigInt>) {
        let _ = tag;
        if first & 0x08 == 0 {
            return (first & 7, Ok((first >> 4) as i64));
        }
        if first & 0x10 == 0 {
            let lo = self.u8() as i64;
            return (first & 7, Ok((((first >> 5) as i64) << 8) | lo));
        }
        let mut n = (first >> 5) as usize + 2;
        if n == 9 {
            let (_, len) = self.term();
            n = len.unwrap() as usize + 9;
        }
        let bytes = &self.b[self.i..self.i + n];
        self.i += n;
        let big = BigInt::from_signed_bytes_be(bytes);
        match i64::try_from(&big) {
            Ok(v) => (first & 7, Ok(v)),
            Err(_) => (first & 7, Err(big)),
        }
    }
    fn unsigned_val(v: Result<i64, BigInt>, tag: u8) -> i64 {
        match v {
            Ok(x) if tag != 1 && x < 0 => {
                // Unsigned values that looked negative in two's complement.
                x & 0xffff_ffff
            }
            Ok(x) => x,
            Err(_) => 0,
        }
    }
    fn term(&mut self) -> (u8, Result<i64, BigInt>) {
        let f = self.u8();
        self.raw(f & 7, f)
    }
    fn operand(&mut self) -> Operand {
        let f = self.u8();
        let tag = f & 7;
        if tag == 7 {
            let ext = f >> 4;
            match ext {
                1 => {
                    let (t, n) = self.term();
                    let n = Self::unsigned_val(n, t) as usize;
                    let mut v = Vec::new();
                    for _ in 0..n {
                        v.push(self.operand());
                    }
                    return Operand::List(v);
                }
                2 => {
                    let (t, n) = self.term();
                    return Operand::FloatReg(Self::unsigned_val(n, t) as u32);
                }
                3 => {
                    let (t, n) = self.term();
                    let n = Self::unsigned_val(n, t) as usize;
                    let mut v = Vec::new();
                    for _ in 0..n {
                        let (t1, k) = self.term();
                        let (t2, c) = self.term();
                        v.push((
                            Self::unsigned_val(k, t1) as u32,
                            Self::unsigned_val(c, t2) as u32,
                        ));
                    }
                    return Operand::AllocList(v);
                }
                4 => {
                    let (t, n) = self.term();
                    return Operand::Literal(Self::unsigned_val(n, t) as u32);
                }
                5 => {
                    let r = self.operand();
                    let _ = self.term();
                    return r;
                }
                _ => panic!("bad ext"),
            }
        }
        let (_, v) = self.raw(tag, f);
        match tag {
            0 => Operand::Unsigned(Self::unsigned_val(v, 0) as u64),
            1 => match v {
                Ok(i) => Operand::Integer(i),
                Err(b) => Operand::BigInteger(b),
            },
            2 => {
                let n = Self::unsigned_val(v, 2);
                if n == 0 {
                    Operand::Nil
                } else {
                    Operand::Atom(n as u32 - 1)
                }
            }
            3 => Operand::X(Self::unsigned_val(v, 3) as u32),
            4 => Operand::Y(Self::unsigned_val(v, 4) as u32),
            5 => Operand::Label(Self::unsigned_val(v, 5) as u32),
            6 => Operand::Char(Self::unsigned_val(v, 6) as u32),
            _ => unreachable!(),
        }
    }
}

fn arity(op: u8) -> usize {
    crate::vm::translate::arity_of(op)
}

/// Parses a `.beam` file (test helper; panics on malformed input).
pub fn load(bytes: &[u8]) -> Module {
    let mut chunks = Vec::new();
    let mut i = 12;
    while i + 8 <= bytes.len() {
        let id: [u8; 4] = bytes[i..i + 4].try_into().unwrap();
        let sz = u32::from_be_bytes(bytes[i + 4..i + 8].try_into().unwrap()) as usize;
        chunks.push((id, &bytes[i + 8..i + 8 + sz]));
        i += 8 + sz.div_ceil(4) * 4;
    }
    let chunk = |n: &[u8; 4]| chunks.iter().find(|(id, _)| id == n).map(|(_, d)| *d);
    let mut atoms = Vec::new();
    {
        let d = chunk(b"AtU8").unwrap();
        let mut r = Rd { b: d, i: 0 };
        let n = r.u32();
        for _ in 0..n {
            let l = r.u8() as usize;
            atoms.push(String::from_utf8(d[r.i..r.i + l].to_vec()).unwrap());
            r.i += l;
        }
    }
    let triples = |n: &[u8; 4]| -> Vec<(u32, u32, u32)> {
        let mut v = Vec::new();
        if let Some(d) = chunk(n) {
            let mut r = Rd { b: d, i: 0 };
            let c = r.u32();
            for _ in 0..c {
                v.push((r.u32(), r.u32(), r.u32()));
            }
        }
        v
    };
    let imports = triples(b"ImpT")
        .into_iter()
        .map(|(m, f, a)| Import {
            module: m - 1,
            function: f - 1,
            arity: a,
        })
        .collect();
    let exports = triples(b"ExpT")
        .into_iter()
        .map(|(f, a, l)| Export {
            function: f - 1,
            arity: a,
            label: l,
        })
        .collect();
    let mut lambdas = Vec::new();
    if let Some(d) = chunk(b"FunT") {
        let mut r = Rd { b: d, i: 0 };
        let c = r.u32();
        for _ in 0..c {
            let (f, a, l, idx, nf, ou) = (r.u32(), r.u32(), r.u32(), r.u32(), r.u32(), r.u32());
            lambdas.push(Lambda {
                function: f - 1,
                arity: a,
                label: l,
                index: idx,
                num_free: nf,
                old_uniq: ou,
            });
        }
    }
    let mut literals = Vec::new();
    if let Some(d) = chunk(b"LitT") {
        let raw = miniz_oxide::inflate::decompress_to_vec_zlib(&d[4..]).unwrap();
        let mut r = Rd { b: &raw, i: 0 };
        let c = r.u32();
        for _ in 0..c {
            let l = r.u32() as usize;
            literals.push(crate::etf::decode(&raw[r.i..r.i + l]).unwrap());
            r.i += l;
        }
    }
    let strings = chunk(b"StrT").unwrap_or(&[]).to_vec();
    let mut lines: Vec<(String, u32)> = Vec::new();
    if let Some(d) = chunk(b"Line") {
        let mut r = Rd { b: d, i: 0 };
        let _ver = r.u32();
        let _flags = r.u32();
        let _ninstr = r.u32();
        let nitems = r.u32();
        let nnames = r.u32();
        let mut items = Vec::new();
        let mut fname = 0u32;
        items.push((0u32, 0u32));
        while items.len() < nitems as usize + 1 {
            let f = r.u8();
            let (tag, v) = r.raw(f & 7, f);
            let v = Rd::unsigned_val(v, tag) as u32;
            if tag == 2 {
                fname = v;
            } else {
                items.push((fname, v));
            }
        }
        let mut names = Vec::new();
        for _ in 0..nnames {
            let l = ((r.u8() as usize) << 8) | r.u8() as usize;
            names.push(String::from_utf8(d[r.i..r.i + l].to_vec()).unwrap());
            r.i += l;
        }
        let module_file = alloc::format!("{}.erl", atoms[0]);
        for (fi, ln) in items {
            let name = if fi == 0 {
                module_file.clone()
            } else {
                names
                    .get(fi as usize - 1)
                    .cloned()
                    .unwrap_or_else(|| module_file.clone())
            };
            lines.push((name, ln));
        }
    }
    let code_chunk = chunk(b"Code").unwrap();
    let hdr = u32::from_be_bytes(code_chunk[0..4].try_into().unwrap()) as usize;
    let label_count = u32::from_be_bytes(code_chunk[12..16].try_into().unwrap());
    let mut r = Rd {
        b: &code_chunk[4 + hdr..],
        i: 0,
    };
    let mut code = Vec::new();
    let mut labels = alloc::vec![0u32; label_count as usize + 1];
    while r.i < r.b.len() {
        let op = r.u8();
        let n = if op == 3 { 0 } else { arity(op) };
        let mut args = Vec::new();
        for _ in 0..n {
            args.push(r.operand());
        }
        if op == 1 {
            if let Some(Operand::Unsigned(l)) = args.first() {
                labels[*l as usize] = code.len() as u32;
            }
        }
        code.push(Instruction { opcode: op, args });
        if op == 3 {
            break;
        }
    }
    let _ = Box::new(0);
    let _: Option<ExtTerm> = None;
    Module {
        atoms,
        code,
        labels,
        imports,
        exports,
        locals: Vec::new(),
        lambdas,
        literals,
        strings,
        lines,
        attributes: None,
    }
}
