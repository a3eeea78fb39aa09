//! A built-in `io` module for a node without an I/O server: output functions format with
//! OTP's own `io_lib` and write straight to the console.
//!
//! OTP's `io` talks to the caller's group leader, an I/O server process. A node whose
//! kernel services start (`xenbeam_kernel`) has one, the console's `user`, and then drops
//! this module for OTP's own (see `Node::start_services`); a runtime without them (the
//! VM's own tests) keeps it. Its functions are tiny hand-assembled instruction sequences
//! that call `io_lib` and then the `xenbeam:put_chars` BIFs.

use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use super::atom::{self, AtomTable};
use super::code::{Code, FunctionInfo, LoadedModule, Target};
use super::literals::Literals;
use super::ops::{Dst, Op, Src};
use super::term::Term;
use super::translate::install;
use crate::etf::ExtTerm;

/// Installs the module; returns its index (or `None` if an atom could not be made).
pub fn install_io(code: &mut Code, atoms: &mut AtomTable, lits: &mut Literals) -> Option<u32> {
    let io = atoms.intern("io").ok()?;
    let io_lib = atoms.intern("io_lib").ok()?;
    let format_atom = atoms.intern("format").ok()?;
    let fwrite_atom = atoms.intern("fwrite").ok()?;
    let put_chars = atoms.intern("put_chars").ok()?;
    let nl = atoms.intern("nl").ok()?;
    let write = atoms.intern("write").ok()?;
    let newline = lits
        .insert(
            &ExtTerm::List(
                vec![ExtTerm::Integer(10)],
                alloc::boxed::Box::new(ExtTerm::Nil),
            ),
            atoms,
        )
        .ok()?;
    let lib_format = code.export(io_lib, format_atom, 2);
    let lib_write = code.export(io_lib, write, 1);
    let xenbeam = atoms.intern("xenbeam").ok()?;
    let put1 = code.export(xenbeam, put_chars, 1);
    let put2 = code.export(xenbeam, put_chars, 2);
    let (Target::Bif(put_bif), Target::Bif(put2_bif)) = (
        code.exports[put1 as usize].target,
        code.exports[put2 as usize].target,
    ) else {
        return None;
    };
    let module_index = code.modules.len() as u32;
    let mut ops: Vec<Op> = Vec::new();
    let mut functions = Vec::new();
    let mut exports = Vec::new();
    let mut begin = |ops: &mut Vec<Op>, name: Term, arity: u32| -> u32 {
        let start = ops.len() as u32;
        ops.push(Op::FuncInfo {
            module: io,
            function: name,
            arity,
        });
        functions.push(FunctionInfo { start, name, arity });
        exports.push((name, arity, start + 1));
        start + 1
    };
    let call = |export: u32| Op::CallExt {
        export,
        push: true,
        dealloc: 0,
    };
    let put_tail = || Op::CallBif {
        bif: put_bif,
        arity: 1,
        export: put1,
        tail: true,
        dealloc: 0,
    };
    for name in [format_atom, fwrite_atom] {
        // format(Format) -> format(Format, []).
        begin(&mut ops, name, 1);
        ops.push(Op::Move(Src::C(Term::NIL), Dst::X(1)));
        ops.push(call(lib_format));
        ops.push(put_tail());
        // format(Format, Args).
        begin(&mut ops, name, 2);
        ops.push(call(lib_format));
        ops.push(put_tail());
        // format(Device, Format, Args): the device is not consulted.
        begin(&mut ops, name, 3);
        ops.push(Op::Move(Src::X(1), Dst::X(0)));
        ops.push(Op::Move(Src::X(2), Dst::X(1)));
        ops.push(call(lib_format));
        ops.push(put_tail());
    }
    begin(&mut ops, put_chars, 1);
    ops.push(put_tail());
    begin(&mut ops, put_chars, 2);
    ops.push(Op::CallBif {
        bif: put2_bif,
        arity: 2,
        export: put2,
        tail: true,
        dealloc: 0,
    });
    begin(&mut ops, nl, 0);
    ops.push(Op::Move(Src::C(newline), Dst::X(0)));
    ops.push(put_tail());
    begin(&mut ops, nl, 1);
    ops.push(Op::Move(Src::C(newline), Dst::X(0)));
    ops.push(put_tail());
    begin(&mut ops, write, 1);
    ops.push(call(lib_write));
    ops.push(put_tail());
    let n = ops.len();
    let module = LoadedModule {
        name: io,
        code: ops,
        lines: vec![0; n],
        line_table: vec![(String::new(), 0)],
        functions,
        lambdas: Vec::new(),
        strings: Vec::new(),
        exports: exports.iter().map(|(f, a, _)| (*f, *a)).collect(),
        attributes: Term::NIL,
        on_load: None,
        md5: [0; 16],
    };
    let index = install(code, module);
    debug_assert_eq!(index, module_index);
    for (f, a, pc) in exports {
        let e = code.export(io, f, a) as usize;
        if matches!(code.exports[e].target, Target::Undefined) {
            code.exports[e].target = Target::Code { module: index, pc };
        }
    }
    let _ = atom::OK;
    Some(index)
}
