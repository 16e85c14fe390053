//! The `jaga` binary: parse the command line and hand over to the library.

use clap::Parser;

fn main() -> std::process::ExitCode {
    // The encoder parallelises across whole sub-batches itself (`model.threads`); candle's own
    // per-operation threading on top of that only contends for the same cores. Set before any
    // thread exists, so no other thread can be reading the environment.
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        std::env::set_var("RAYON_NUM_THREADS", "1");
    }
    let cli = jaga::cli::Cli::parse();
    match jaga::cli::main(cli) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("jaga: error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
