//! `helm-rs`: the command line, with Helm's commands and flags. Thin: all logic is in helm-core.
fn main() {
    eprintln!("helm-rs: no commands yet");
    std::process::exit(1);
}
