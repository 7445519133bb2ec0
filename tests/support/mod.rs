//! Helpers shared by the integration tests that drive the real `firsthand` binary: runs on
//! temporary databases, the shared feed corpus, a served world of feeds, and tiny HTTP
//! servers on 127.0.0.1 (std threads, so no runtime is needed next to child processes).
#![allow(dead_code)] // each test binary uses its own subset

use std::collections::BTreeSet;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The binary under test.
pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_firsthand")
}

/// What one run of the binary did.
#[derive(Debug)]
pub struct Run {
    /// Exit code (-1 when killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Run {
    fn from(out: &Output) -> Self {
        Self {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Asserts the exit code, showing both streams when it differs.
    pub fn code(&self, want: i32, what: &str) -> &Self {
        assert_eq!(self.code, want, "{what}: {self:#?}");
        self
    }

    /// Asserts stderr is exactly one line, and returns it.
    pub fn one_line(&self, what: &str) -> &str {
        let lines: Vec<&str> = self.stderr.lines().filter(|l| !l.is_empty()).collect();
        assert_eq!(lines.len(), 1, "{what}: want one line on stderr: {self:#?}");
        lines[0]
    }
}

/// A command for the binary with a clean environment for firsthand's own variables.
pub fn command() -> Command {
    let mut c = Command::new(bin());
    c.env_remove("FIRSTHAND_DB")
        .env_remove("FIRSTHAND_MODEL")
        .env_remove("RUST_LOG")
        .stdin(Stdio::null());
    c
}

/// Runs `firsthand --db DB ARGS…` to completion.
pub fn cli(db: &Path, args: &[&str]) -> Run {
    let out = command()
        .arg("--db")
        .arg(db)
        .args(args)
        .output()
        .expect("run firsthand");
    Run::from(&out)
}

/// Runs `FIRSTHAND_DB=DB firsthand ARGS…` to completion.
pub fn cli_env(db: &Path, args: &[&str]) -> Run {
    let out = command()
        .env("FIRSTHAND_DB", db)
        .args(args)
        .output()
        .expect("run firsthand");
    Run::from(&out)
}

/// `../shared/data`.
pub fn shared() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data")
}

/// Every file of the shared feed corpus (licence files left out), sorted.
pub fn corpus() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        let mut entries: Vec<_> = std::fs::read_dir(dir)
            .expect("read corpus dir")
            .map(|e| e.expect("dir entry").path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, out);
            } else if !matches!(
                p.file_name().and_then(|n| n.to_str()),
                Some("LICENSE" | "COMMIT" | "LICENSE-MIT" | "LICENSE-APACHE")
            ) {
                out.push(p);
            }
        }
    }
    let mut out = Vec::new();
    walk(&shared().join("feeds"), &mut out);
    out
}

/// Stories as sets of member URLs: what must not depend on ids, times or arrival order.
pub type StorySets = BTreeSet<BTreeSet<String>>;

/// `stories --json --all`, normalised to [`StorySets`].
pub fn story_sets(db: &Path) -> StorySets {
    let r = cli(db, &["stories", "--json", "--all"]);
    r.code(0, "stories --json --all");
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("stories JSON");
    v.as_array()
        .expect("an array")
        .iter()
        .map(|s| {
            s["members"]
                .as_array()
                .expect("members")
                .iter()
                .map(|m| m["url"].as_str().unwrap_or_default().to_string())
                .collect()
        })
        .collect()
}

/// Counts rows of `table` with a plain read-only connection.
pub fn count(db: &Path, table: &str) -> i64 {
    let c = rusqlite::Connection::open_with_flags(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .expect("open db");
    c.busy_timeout(std::time::Duration::from_secs(30))
        .expect("busy timeout");
    c.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .expect("count")
}

/// A served world of feeds: the runtime keeps the server up while this lives.
pub struct Served {
    _rt: tokio::runtime::Runtime,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// What is served.
    pub world: firsthand_world::World,
}

impl Served {
    /// Feed URLs.
    pub fn urls(&self) -> Vec<String> {
        self.world
            .feeds
            .iter()
            .map(|f| format!("{}{}", self.base, f.path))
            .collect()
    }

    /// Adds every feed of the world to `db` with `feeds add`.
    pub fn subscribe(&self, db: &Path) {
        let urls = self.urls();
        let mut args = vec!["feeds", "add"];
        args.extend(urls.iter().map(String::as_str));
        cli(db, &args).code(0, "feeds add (world)");
    }
}

/// The world of the first `clusters` stories of a dataset in ../shared/data, of `shape`,
/// written as feed files into `dir`; returns the files and the number of articles.
pub fn world_files(
    dataset: &str,
    clusters: usize,
    shape: firsthand_world::Shape,
    dir: &Path,
) -> (Vec<PathBuf>, usize) {
    let mut docs = firsthand::dataset::load(&shared().join(dataset)).expect("dataset");
    firsthand::dataset::keep_stories(&mut docs, clusters);
    let options = firsthand_world::Options {
        shape,
        ..firsthand_world::Options::default()
    };
    let world = firsthand_world::build(&docs, &options);
    let mut paths = Vec::new();
    for f in &world.feeds {
        let p = dir.join(f.path.trim_start_matches('/').replace('/', "-"));
        std::fs::write(&p, &f.body).expect("write a feed file");
        paths.push(p);
    }
    (paths, world.articles.len())
}

/// `parts` feed files each of `per_part` copies of one long dev text, on a site of its
/// own per file: one story of `parts * per_part` articles, each part claiming an hour
/// earlier than the one before (so its original changes as the parts come in).
pub fn copies_files(dir: &Path, parts: usize, per_part: usize) -> Vec<PathBuf> {
    let docs = firsthand::dataset::load(&shared().join("wmt-dev/dev-small.jsonl")).expect("dev");
    let doc = docs
        .iter()
        .filter(|d| d.lang == "en" && d.text.lines().count() >= 4)
        .max_by_key(|d| d.text.len())
        .expect("a long English text");
    let mut lines = doc.text.lines();
    let title = esc(lines.next().unwrap_or_default());
    let body = esc(&lines
        .map(|p| format!("<p>{}</p>", esc(p)))
        .collect::<String>());
    let start = chrono::DateTime::from_timestamp(1_700_000_000, 0).expect("a time");
    (0..parts)
        .map(|part| {
            let host = format!("copies{part}.example");
            let mut xml = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>{host}</title><link>https://{host}/</link><description>d</description>\n"
            );
            for i in 0..per_part {
                let when = start - chrono::Duration::hours(i64::try_from(part).unwrap_or(0))
                    + chrono::Duration::seconds(i64::try_from(i).unwrap_or(0));
                let link = format!("https://{host}/story/{i}");
                xml.push_str(&format!(
                    "<item><title>{title}</title><link>{link}</link><guid>{link}</guid><pubDate>{}</pubDate><description>{body}</description></item>\n",
                    when.to_rfc2822()
                ));
            }
            xml.push_str("</channel></rss>\n");
            let p = dir.join(format!("copies-{part}.xml"));
            std::fs::write(&p, xml).expect("write a feed file");
            p
        })
        .collect()
}

/// The world of the first `clusters` gold stories of the dev set, served on 127.0.0.1.
pub fn world(clusters: usize) -> Served {
    let mut docs =
        firsthand::dataset::load(&shared().join("wmt-dev/dev-small.jsonl")).expect("dev");
    let mut keep = BTreeSet::new();
    for d in &docs {
        if keep.len() >= clusters {
            break;
        }
        keep.insert(d.cluster.clone());
    }
    docs.retain(|d| keep.contains(&d.cluster));
    let world = firsthand_world::build(&docs, &firsthand_world::Options::default());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let base = firsthand_world::serve(&rt, world.feeds.clone()).expect("serve world");
    Served {
        _rt: rt,
        base,
        world,
    }
}

/// Serves one canned answer to every connection on 127.0.0.1 (the request is read up to
/// its blank line first); `answer` gets the request's path. Returns the port.
pub fn raw_server(answer: impl Fn(&str) -> Vec<u8> + Send + 'static) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let mut req = Vec::new();
            let mut buf = [0u8; 4096];
            while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                match conn.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => req.extend_from_slice(&buf[..n]),
                }
            }
            let head = String::from_utf8_lossy(&req);
            let path = head.split_whitespace().nth(1).unwrap_or("/").to_string();
            let _ = conn.write_all(&answer(&path));
            let _ = conn.flush();
            // dropping the stream closes the connection
        }
    });
    port
}

/// A well-behaved HTTP/1.1 server for fixed documents: (path, content type, body).
/// Unknown paths get a 404. Returns `http://127.0.0.1:PORT`.
pub fn http_server(docs: Vec<(String, String, Vec<u8>)>) -> String {
    let port = raw_server(move |path| {
        let Some((_, ctype, body)) = docs.iter().find(|d| d.0 == path) else {
            return b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                .to_vec();
        };
        let mut out = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .into_bytes();
        out.extend_from_slice(body);
        out
    });
    format!("http://127.0.0.1:{port}")
}

/// A small RSS 2.0 document with the given (title, link, description) items; the strings
/// are written as given (escape them first when they are text).
pub fn rss(title: &str, items: &[(&str, &str, &str)]) -> String {
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>{title}</title><link>https://site.example/</link><description>d</description>\n"
    );
    for (t, link, d) in items {
        s.push_str(&format!(
            "<item><title>{t}</title><link>{link}</link><guid>{link}</guid><pubDate>Tue, 14 Nov 2023 22:13:20 GMT</pubDate><description>{d}</description></item>\n"
        ));
    }
    s.push_str("</channel></rss>\n");
    s
}

/// Escapes text for XML content.
pub fn esc(s: &str) -> String {
    firsthand::output::export::xml_escape(s)
}

/// A feed on 127.0.0.1 that can hold its answer, so a test knows a `poll` is under way
/// (it asked for this feed) and that it stays so until the test lets it go. The feed has
/// no items, so it adds nothing to a world's stories.
pub struct Gate {
    /// The feed's URL.
    pub url: String,
    held: std::sync::Arc<(std::sync::Mutex<bool>, std::sync::Condvar)>,
    arrived: std::sync::mpsc::Receiver<()>,
}

impl Gate {
    /// A gate that answers at once until [`Gate::hold`].
    pub fn new() -> Self {
        let held = std::sync::Arc::new((std::sync::Mutex::new(false), std::sync::Condvar::new()));
        let (tx, arrived) = std::sync::mpsc::channel();
        let state = std::sync::Arc::clone(&held);
        let port = raw_server(move |_| {
            let (lock, cv) = &*state;
            let mut hold = lock
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if *hold {
                let _ = tx.send(());
                while *hold {
                    hold = cv
                        .wait(hold)
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                }
            }
            let body = rss("gate", &[]);
            format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            )
            .into_bytes()
        });
        Self {
            url: format!("http://127.0.0.1:{port}/gate.xml"),
            held,
            arrived,
        }
    }

    fn set(&self, hold: bool) {
        let (lock, cv) = &*self.held;
        *lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = hold;
        cv.notify_all();
    }

    /// From now on each request is held until [`Gate::release`].
    pub fn hold(&self) {
        while self.arrived.try_recv().is_ok() {}
        self.set(true);
    }

    /// Answers the held requests, and the next ones at once.
    pub fn release(&self) {
        self.set(false);
    }

    /// Waits until a request is being held. Panics after a minute (a safety net against a
    /// hang, not a measure of speed).
    pub fn wait_for_request(&self) {
        self.arrived
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("the held feed was never requested");
    }

    /// Adds the gate's feed to `db`.
    pub fn subscribe(&self, db: &Path) {
        cli(db, &["feeds", "add", &self.url]).code(0, "feeds add (gate)");
    }
}

/// A throwaway PostgreSQL server on 127.0.0.1 (Debian's `postgresql` binaries, `initdb`
/// and `pg_ctl` on a temporary directory and a free port), stopped when dropped. Run as
/// the `postgres` user when the tests run as root (the server refuses root).
pub struct PgServer {
    dir: tempfile::TempDir,
    bin: PathBuf,
    /// Its port on 127.0.0.1.
    pub port: u16,
    as_root: bool,
}

impl PgServer {
    /// Starts one; panics with one line saying why when it cannot (the tests never skip).
    pub fn start() -> Self {
        let bin = pg_bindir().unwrap_or_else(|| {
            panic!(
                "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): \
                 install Debian's postgresql package (scripts/test does)"
            )
        });
        let as_root = Command::new("id")
            .arg("-u")
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
            .unwrap_or(false);
        let dir = tempfile::tempdir().expect("temp dir for PostgreSQL");
        if as_root {
            let status = Command::new("chown")
                .args(["-R", "postgres:"])
                .arg(dir.path())
                .status()
                .expect("chown");
            assert!(
                status.success(),
                "cannot give the temp dir to the postgres user (is there one? Debian's postgresql package creates it)"
            );
        }
        let data = dir.path().join("data");
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let server = Self {
            dir,
            bin,
            port,
            as_root,
        };
        let init = server
            .tool("initdb")
            .args([
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
                "-D",
            ])
            .arg(&data)
            .output()
            .expect("run initdb");
        assert!(
            init.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&init.stderr).trim()
        );
        let opts = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200",
            server.dir.path().display()
        );
        let start = server
            .tool("pg_ctl")
            .arg("-D")
            .arg(&data)
            .arg("-l")
            .arg(server.dir.path().join("log"))
            .args(["-o", &opts, "-w", "start"])
            .output()
            .expect("run pg_ctl");
        assert!(
            start.status.success(),
            "pg_ctl start failed: {} {}",
            String::from_utf8_lossy(&start.stderr).trim(),
            std::fs::read_to_string(server.dir.path().join("log")).unwrap_or_default()
        );
        server
    }

    fn tool(&self, name: &str) -> Command {
        let path = self.bin.join(name);
        if self.as_root {
            let mut c = Command::new("runuser");
            c.args(["-u", "postgres", "--"]).arg(path);
            c
        } else {
            Command::new(path)
        }
    }

    /// A new empty database on this server; its URL.
    pub fn database(&self, name: &str) -> String {
        let mut c = self.client("postgres");
        c.batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create database");
        format!("postgresql://postgres@127.0.0.1:{}/{name}", self.port)
    }

    /// A client of database `name`, for the tests' own queries.
    pub fn client(&self, name: &str) -> postgres::Client {
        postgres::Client::connect(
            &format!(
                "host=127.0.0.1 port={} user=postgres dbname={name}",
                self.port
            ),
            postgres::NoTls,
        )
        .expect("connect to the test server")
    }
}

impl Drop for PgServer {
    fn drop(&mut self) {
        let _ = self
            .tool("pg_ctl")
            .arg("-D")
            .arg(self.dir.path().join("data"))
            .args(["-m", "immediate", "stop"])
            .output();
    }
}

/// The newest `/usr/lib/postgresql/N/bin` with `initdb` in it.
fn pg_bindir() -> Option<PathBuf> {
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|e| {
            let e = e.ok()?;
            let v: u32 = e.file_name().to_str()?.parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, b)| b)
}

/// What two runs' stories differ in, for a failed comparison: the stories only `want`
/// has (named `want_name`), then those only `got` has.
pub fn story_diff(want: &StorySets, got: &StorySets, want_name: &str, got_name: &str) -> String {
    let missing: Vec<_> = want.difference(got).collect();
    let extra: Vec<_> = got.difference(want).collect();
    format!("only {want_name}: {missing:#?}\nonly {got_name}: {extra:#?}")
}
