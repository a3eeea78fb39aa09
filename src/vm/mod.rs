//! The BEAM virtual machine: terms, process heaps and garbage collection, the interpreter and BIFs.
