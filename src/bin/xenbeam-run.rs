//! xenbeam-run: runs an Erlang function on the host like `erl -noshell -pa DIR -run MOD FUN`.

fn main() {
    eprintln!("xenbeam-run: not implemented yet");
    std::process::exit(2);
}
