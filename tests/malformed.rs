//! Hostile feed files: every file of ../shared/data/feeds plus malformed variants of each
//! (truncated at deterministic pseudo-random points, bytes flipped, a wrong encoding in
//! the XML prolog), and a few documents built to hurt (entity expansion, 10,000-deep
//! nesting, a 50 MB title). Each either ingests (`ingest::file` + `place_pending`) or is
//! refused with one line naming the file; nothing panics; the database stays sound; and
//! the process's peak memory stays bounded.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use firsthand::Error;
use firsthand::store::Store;
use std::path::{Path, PathBuf};

/// A deterministic stream of numbers (splitmix64), seeded per file.
struct Dice(u64);

impl Dice {
    fn new(key: &str) -> Self {
        Self(key.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
        }))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n.max(1)).unwrap()).unwrap()
    }
}

fn is_xml(bytes: &[u8]) -> bool {
    bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'<')
}

/// The XML document with its prolog replaced by one that names `encoding`.
fn with_prolog(bytes: &[u8], encoding: &str) -> Vec<u8> {
    let prolog_end = bytes.windows(5).position(|w| w == b"<?xml").and_then(|p| {
        bytes[p..]
            .windows(2)
            .position(|w| w == b"?>")
            .map(|e| p + e + 2)
    });
    let rest = &bytes[prolog_end.unwrap_or(0)..];
    let mut out = format!("<?xml version=\"1.0\" encoding=\"{encoding}\"?>").into_bytes();
    out.extend_from_slice(rest);
    out
}

/// Malformed variants of one file: (suffix, bytes). Sampled: every file gets three
/// truncations, one flip and (XML) one wrong prolog.
fn variants(name: &str, bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut dice = Dice::new(name);
    let mut out = Vec::new();
    for i in 0..3 {
        let at = dice.below(bytes.len());
        out.push((format!("cut{i}"), bytes[..at].to_vec()));
    }
    let mut flipped = bytes.to_vec();
    for _ in 0..4 {
        if !flipped.is_empty() {
            let at = dice.below(flipped.len());
            flipped[at] ^= 1 << dice.below(8);
        }
    }
    out.push(("flip".into(), flipped));
    if is_xml(bytes) {
        let wrong = [
            "UTF-16",
            "KOI8-R",
            "Shift_JIS",
            "x-no-such-charset",
            "UTF-32",
            "ISO-2022-KR",
        ];
        let enc = wrong[dice.below(wrong.len())];
        out.push((format!("enc-{enc}"), with_prolog(bytes, enc)));
    }
    out
}

const BILLION_LAUGHS: &str = r#"<?xml version="1.0"?>
<!DOCTYPE rss [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
 <!ENTITY xxe SYSTEM "file:///etc/passwd">
]>
<rss version="2.0"><channel><title>&lol9;</title>
<item><title>laughs &lol9;</title><link>https://laughs.example/1</link><description>&lol9; &xxe;</description></item>
</channel></rss>
"#;

/// Hostile documents: (file name, bytes).
fn hostile() -> Vec<(String, Vec<u8>)> {
    let mut out = vec![(
        "billion-laughs.xml".to_string(),
        BILLION_LAUGHS.as_bytes().to_vec(),
    )];
    // 10,000 nested elements inside an item, in the channel, and as escaped HTML.
    let deep = |open: &str, close: &str| format!("{}{}", open.repeat(10_000), close.repeat(10_000));
    out.push((
        "deep-elements.xml".into(),
        support::rss("deep", &[("deep", "https://deep.example/1", "text")])
            .replace("<item>", &format!("<item>{}", deep("<x>", "</x>")))
            .into_bytes(),
    ));
    out.push((
        "deep-channel.xml".into(),
        format!(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>t</title>{}</channel></rss>",
            deep("<item>", "</item>")
        )
        .into_bytes(),
    ));
    out.push((
        "deep-html.xml".into(),
        support::rss(
            "deep",
            &[(
                "deep html",
                "https://deep.example/2",
                &support::esc(&deep("<div><b>", "</b></div>")),
            )],
        )
        .into_bytes(),
    ));
    out.push((
        "deep-xhtml.xml".into(),
        format!(
            "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>t</title><id>urn:t</id><updated>2023-01-01T00:00:00Z</updated><entry><title>x</title><id>urn:x</id><updated>2023-01-01T00:00:00Z</updated><content type=\"xhtml\"><div xmlns=\"http://www.w3.org/1999/xhtml\">{}</div></content></entry></feed>",
            deep("<div>", "</div>")
        )
        .into_bytes(),
    ));
    out.push((
        "deep-json.json".into(),
        format!(
            "{{\"version\":\"https://jsonfeed.org/version/1.1\",\"title\":\"t\",\"items\":[{{\"id\":\"1\",\"title\":\"x\",\"_ext\":{}1{}}}]}}",
            "[".repeat(10_000),
            "]".repeat(10_000)
        )
        .into_bytes(),
    ));
    // A 50 MB title of ordinary words (a distinct word every so often, so that it is not
    // one repeated shingle).
    let words = [
        "market", "chip", "launch", "model", "GPU", "2023", "price", "Musk",
    ];
    let mut title = String::with_capacity(50 * 1024 * 1024 + 64);
    let mut i = 0usize;
    while title.len() < 50 * 1024 * 1024 {
        title.push_str(words[i % words.len()]);
        if i.is_multiple_of(97) {
            title.push_str(&i.to_string());
        }
        title.push(' ');
        i += 1;
    }
    out.push((
        "huge-title.xml".into(),
        support::rss("huge", &[(&title, "https://huge.example/1", "a body")]).into_bytes(),
    ));
    out
}

fn peak_rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .expect("VmHWM in /proc/self/status")
}

/// Ingests `path`; Ok(new articles) or the refusal message (checked to be one line that
/// names the file).
fn ingest(store: &mut Store, path: &Path) -> Result<usize, String> {
    match firsthand::pipeline::ingest::file(store, path) {
        Ok(r) => Ok(r.new),
        // every file here was just written, so only the parser may refuse it: a read or
        // storage error is a failure, not a refusal
        Err(e @ Error::NotAFeed { .. }) => {
            let msg = e.to_string();
            if let Error::NotAFeed { what, reason } = &e {
                assert_eq!(*what, path.display().to_string(), "{msg}");
                assert!(!reason.is_empty(), "refusal without a reason: {msg}");
            }
            assert!(
                msg.contains(&path.display().to_string()),
                "refusal does not name the file: {msg}"
            );
            assert!(!msg.contains('\n'), "refusal is not one line: {msg}");
            Err(msg)
        }
        Err(e) => panic!("{}: unexpected error {e}", path.display()),
    }
}

fn place(store: &mut Store) -> usize {
    let mut matcher = firsthand::cluster::Matcher::new(firsthand::cluster::Config::default());
    firsthand::pipeline::place_pending(
        store,
        &mut matcher,
        chrono::Utc::now().timestamp(),
        &mut |_| {},
    )
    .unwrap()
}

#[test]
fn corpus_and_malformed_variants_ingest_or_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let files = support::corpus();
    assert!(
        files.len() > 500,
        "the shared corpus: {} files",
        files.len()
    );
    let mut paths: Vec<PathBuf> = Vec::new();
    for (i, src) in files.iter().enumerate() {
        let bytes = std::fs::read(src).unwrap();
        let stem = src.file_name().unwrap().to_string_lossy().into_owned();
        paths.push(src.clone());
        for (suffix, v) in variants(&src.display().to_string(), &bytes) {
            let p = dir.path().join(format!("{i:03}-{suffix}-{stem}"));
            std::fs::write(&p, v).unwrap();
            paths.push(p);
        }
    }
    for (name, bytes) in hostile() {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        paths.push(p);
    }

    let mut store = Store::open(&dir.path().join("malformed.db")).unwrap();
    let (mut ok, mut refused, mut new) = (0, 0, 0);
    for p in &paths {
        match ingest(&mut store, p) {
            Ok(n) => {
                ok += 1;
                new += n;
            }
            Err(_) => refused += 1,
        }
        // Place as we go (in batches), as repeated `ingest` runs would.
        if (ok + refused) % 400 == 0 {
            place(&mut store);
        }
    }
    place(&mut store);
    assert_eq!(store.integrity_check().unwrap(), "ok");
    assert_eq!(store.pending_count().unwrap(), 0);
    assert!(ok > 500, "ingested {ok}, refused {refused}");
    assert!(refused > 300, "ingested {ok}, refused {refused}");
    assert!(new > 1000, "{new} new articles");

    eprintln!(
        "{} documents: {ok} ingested ({new} new articles), {refused} refused",
        paths.len()
    );

    // The hostile documents are feeds: each ingests, with nothing expanded or kept whole.
    let urls: Vec<String> = store.feeds().unwrap().into_iter().map(|f| f.url).collect();
    for (name, _) in hostile() {
        let abs = std::fs::canonicalize(dir.path().join(&name)).unwrap();
        let feed = url::Url::from_file_path(&abs).unwrap().to_string();
        assert!(urls.contains(&feed), "{name} was refused; it is a feed");
    }
    drop(store);
    let db = rusqlite::Connection::open(dir.path().join("malformed.db")).unwrap();
    let (title, body): (i64, i64) = db
        .query_row(
            "SELECT max(length(title)), max(length(body)) FROM articles",
            (),
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let cap = i64::try_from(firsthand::normalize::MAX_TITLE_BYTES).unwrap();
    assert!(title <= cap, "a title of {title} bytes was kept");
    assert!(
        body < 8 * 1024 * 1024,
        "a body of {body} bytes: entities expanded?"
    );

    let peak = peak_rss_kib();
    eprintln!("peak resident memory: {} MiB", peak / 1024);
    assert!(
        peak < 1024 * 1024,
        "peak resident memory {} MiB (bound: 1 GiB)",
        peak / 1024
    );
}

/// The binary (main thread, default stack) on the hostile documents: no crash, no panic
/// message, exit 0.
#[test]
fn hostile_documents_through_the_binary() {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec!["ingest".to_string()];
    for (name, bytes) in hostile() {
        if name == "huge-title.xml" {
            continue; // covered above; keeps this test quick
        }
        let p = dir.path().join(&name);
        std::fs::write(&p, bytes).unwrap();
        args.push(p.display().to_string());
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let r = support::cli(&dir.path().join("h.db"), &args);
    r.code(0, "ingest hostile documents");
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
}
