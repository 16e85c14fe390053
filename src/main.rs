//! The `jaga` binary: parse the command line and hand over to the library.

use clap::Parser;

fn main() -> std::process::ExitCode {
    jaga::model::leave_threading_to_the_encoder();
    let cli = jaga::cli::Cli::parse();
    match jaga::cli::main(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("jaga: error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
