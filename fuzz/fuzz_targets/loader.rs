//! Fuzz target: `xenbeam::loader::load` must return (Ok or Err) for any input, never panic,
//! hang or exhaust memory; a loaded module must keep the loader's promises.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xenbeam::loader::{Module, Operand};

/// Every label operand other than 0 resolves to its own `label` instruction.
fn check_label(module: &Module, operand: &Operand) {
    match operand {
        Operand::Label(0) => {}
        Operand::Label(l) => {
            let at = module.labels[*l as usize] as usize;
            let target = &module.code[at];
            assert_eq!(target.opcode, 1);
            assert_eq!(target.args[0], Operand::Unsigned(u64::from(*l)));
        }
        Operand::List(items) => items.iter().for_each(|i| check_label(module, i)),
        Operand::Atom(a) => assert!((*a as usize) < module.atoms.len()),
        Operand::Literal(l) => assert!((*l as usize) < module.literals.len()),
        _ => {}
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(module) = xenbeam::loader::load(data) {
        for instruction in &module.code {
            instruction
                .args
                .iter()
                .for_each(|a| check_label(&module, a));
        }
        // Translated and installed, the code keeps what the interpreter's unchecked
        // instruction fetch relies on (xenbeam::vm::fetch).
        let mut vm = xenbeam::vm::interp::Vm::new();
        let vm = &mut vm;
        if let Ok(loaded) =
            xenbeam::vm::translate::translate(&module, &mut vm.code, &mut vm.atoms, &mut vm.lits)
        {
            let i = xenbeam::vm::translate::install(&mut vm.code, loaded) as usize;
            assert!(xenbeam::vm::ops::dispatch_safe(&vm.code.modules[i].code));
        }
    }
});
