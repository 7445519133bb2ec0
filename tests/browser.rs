//! The web view as a person sees it: headless Chromium, driven over WebDriver by
//! chromedriver (Debian's `chromium` and `chromium-driver`, which CI installs), opens the
//! index and a story page of the demo data. Missing browser binaries fail the test with
//! the install line: they are never skipped silently. Leaves a screenshot of the story
//! page at target/screenshot-story.png.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod web;

use fantoccini::{ClientBuilder, Locator};
use firsthand::output::json;
use firsthand::output::views::views;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// chromedriver, killed (by its own pid) when the test ends, passing or not.
struct Driver {
    child: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn require(path: &str) {
    assert!(
        Path::new(path).exists(),
        "{path} is missing: the browser test needs Debian's chromium and chromedriver \
         (`apt-get install -y chromium chromium-driver`; CI installs them)"
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts chromedriver on a free port and waits until it says it is ready.
fn start_driver(w: &web::Web) -> Driver {
    let port = free_port();
    let log = w.dir.path().join("chromedriver.log");
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .arg(format!("--log-path={}", log.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot start {CHROMEDRIVER}: {e}"));
    let driver = Driver {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    let status = format!("{}/status", driver.url);
    let deadline = Instant::now() + Duration::from_secs(30);
    w.rt.block_on(async {
        let client = reqwest::Client::builder().no_proxy().build().unwrap();
        loop {
            if let Ok(r) = client.get(&status).send().await
                && let Ok(v) = r.text().await
                && serde_json::from_str::<serde_json::Value>(&v)
                    .is_ok_and(|v| v["value"]["ready"] == true)
            {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "chromedriver did not get ready in 30 s (log: {})",
                log.display()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    });
    driver
}

fn capabilities(profile: &Path) -> serde_json::Map<String, serde_json::Value> {
    let caps = serde_json::json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": CHROMIUM,
            "args": [
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-dev-shm-usage",
                "--hide-scrollbars",
                "--window-size=1280,1600",
                format!("--user-data-dir={}", profile.display()),
            ]
        }
    });
    caps.as_object().unwrap().clone()
}

fn screenshot_path() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("screenshot-story.png")
}

#[test]
fn a_person_sees_the_stories_and_a_story_page() {
    require(CHROMIUM);
    require(CHROMEDRIVER);
    let w = web::start();
    let store = w.store();
    let listed = views(&store, None, false, None).unwrap();
    let story = listed
        .iter()
        .max_by_key(|v| (v.members.len(), -v.id.0))
        .unwrap()
        .clone();
    let driver = start_driver(&w);
    let profile = tempfile::tempdir().unwrap();
    let base = w.base.clone();
    let run = async {
        let mut builder =
            ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new());
        builder.capabilities(capabilities(profile.path()));
        let c = builder
            .connect(&driver.url)
            .await
            .expect("a WebDriver session");

        // The index: every story with copies, by its title.
        c.goto(&format!("{base}/")).await.unwrap();
        let h1 = c.find(Locator::Css("main h1")).await.unwrap();
        assert_eq!(h1.text().await.unwrap(), "Stories");
        let links = c.find_all(Locator::Css("ol.stories h2 a")).await.unwrap();
        let mut titles = Vec::new();
        for l in &links {
            titles.push(l.text().await.unwrap());
        }
        assert_eq!(titles.len(), listed.len().min(50));
        for v in listed.iter().take(50) {
            assert!(
                titles.contains(&json::title_of(v).trim().to_string()),
                "the index shows {:?}; got {titles:?}",
                json::title_of(v)
            );
        }

        // Follow the largest story's link, as a reader would.
        c.find(Locator::Css(&format!("a[href=\"/story/{}\"]", story.id.0)))
            .await
            .unwrap()
            .click()
            .await
            .unwrap();
        assert_eq!(
            c.current_url().await.unwrap().path(),
            format!("/story/{}", story.id.0)
        );
        let h1 = c.find(Locator::Css("main h1")).await.unwrap();
        assert_eq!(h1.text().await.unwrap(), json::title_of(&story).trim());
        let rows = c
            .find_all(Locator::Css("#copies + .scroll table tbody tr"))
            .await
            .unwrap();
        assert_eq!(rows.len(), story.members.len(), "one row per copy");
        let first = rows[0].text().await.unwrap();
        assert!(
            first.contains("original"),
            "the original comes first: {first}"
        );
        for m in &story.members {
            let row = c
                .find(Locator::Id(&format!("m{}", m.id.0)))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(row.contains(m.site.as_deref().unwrap()), "{row}");
            assert!(row.contains(m.relation.as_str()), "{row}");
        }

        // The timeline: drawn, visible, one dot per copy, one lane per language.
        let svg = c.find(Locator::Css("figure svg.tl")).await.unwrap();
        assert!(svg.is_displayed().await.unwrap());
        let (_, _, width, height) = svg.rectangle().await.unwrap();
        assert!(
            width > 300.0 && height > 60.0,
            "timeline is {width}x{height}"
        );
        let dots = c
            .find_all(Locator::Css("figure svg.tl circle"))
            .await
            .unwrap();
        assert_eq!(dots.len(), story.members.len());
        let lanes = c
            .find_all(Locator::Css("figure svg.tl text.lang"))
            .await
            .unwrap();
        assert_eq!(lanes.len(), json::languages_of(&story).len());

        let png = c.screenshot().await.unwrap();
        assert!(png.starts_with(b"\x89PNG"));
        std::fs::write(screenshot_path(), &png).unwrap();

        // On a phone the page itself does not scroll sideways (wide parts scroll inside).
        c.set_window_size(390, 844).await.unwrap();
        c.refresh().await.unwrap();
        let fits = c
            .execute(
                "return document.documentElement.scrollWidth <= window.innerWidth;",
                vec![],
            )
            .await
            .unwrap();
        assert_eq!(
            fits,
            serde_json::Value::Bool(true),
            "the page fits a phone's width"
        );
        c.close().await.unwrap();
    };
    w.rt.block_on(async {
        tokio::time::timeout(Duration::from_secs(180), run)
            .await
            .expect("the browser test finished within 3 minutes");
    });
    drop(driver);
}
