//! Helpers for the matching and origin tests: real dev-data text, written as real RSS
//! files, ingested through the normal pipeline into a temporary SQLite file, with the
//! clock passed in.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use firsthand::cluster::{Config, Matcher};
use firsthand::dataset::Doc;
use firsthand::output::export::xml_escape;
use firsthand::store::Store;
use firsthand::store::feeds::FetchRecord;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

/// The dev set, loaded once.
pub fn dev() -> &'static [Doc] {
    static DEV: OnceLock<Vec<Doc>> = OnceLock::new();
    DEV.get_or_init(|| {
        let p =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/wmt-dev/dev-small.jsonl");
        firsthand::dataset::load(&p).expect("../shared/data/wmt-dev/dev-small.jsonl")
    })
}

/// The documents of one gold story.
pub fn cluster(id: &str) -> Vec<&'static Doc> {
    dev().iter().filter(|d| d.cluster == id).collect()
}

/// The source article of the first gold story whose original is in `lang` and long enough.
pub fn original_in(lang: &str, nth: usize) -> &'static Doc {
    dev()
        .iter()
        .filter(|d| d.is_original && d.lang == lang && sentences(&d.text).len() >= 16)
        .nth(nth)
        .expect("dev data has such an original")
}

/// The first gold original in `lang` that is news with figures in it (three or more
/// numbers, as most tech news has) and whose story has at least `versions` documents.
pub fn original_with_figures(lang: &str, versions: usize) -> &'static Doc {
    dev()
        .iter()
        .find(|d| {
            d.is_original
                && d.lang == lang
                && cluster(&d.cluster).len() >= versions
                && firsthand::fingerprint::numbers::extract(&d.text, lang)
                    .iter()
                    .filter(|n| !n.small)
                    .count()
                    >= 3
        })
        .expect("dev data has such an original")
}

/// One feed item.
#[derive(Debug, Clone)]
pub struct Item {
    /// Link.
    pub url: String,
    /// Title.
    pub title: String,
    /// Paragraphs (plain text; escaped into HTML `<p>`s).
    pub paragraphs: Vec<String>,
    /// Extra raw HTML appended (credit lines with links).
    pub html_tail: String,
    /// pubDate, unix seconds.
    pub published: Option<i64>,
}

impl Item {
    /// An item from a document: with several lines, the first is the title and the rest
    /// paragraphs; a one-line text (most of the dev set) is cut into two-sentence
    /// paragraphs, titled by its first sentence.
    pub fn from_doc(url: &str, d: &Doc) -> Self {
        let lines: Vec<String> = d
            .text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect();
        if lines.len() > 1 {
            return Self {
                url: url.into(),
                title: lines[0].clone(),
                paragraphs: lines[1..].to_vec(),
                html_tail: String::new(),
                published: None,
            };
        }
        let sentences = sentences(lines.first().map_or("", String::as_str));
        let title: String = sentences
            .first()
            .map_or(String::new(), |s| s.chars().take(90).collect());
        let paragraphs = sentences.chunks(2).map(|c| c.join(" ")).collect();
        Self {
            url: url.into(),
            title,
            paragraphs,
            html_tail: String::new(),
            published: None,
        }
    }
}

/// Sentences of a text (ends at . ! ? and their CJK forms).
pub fn sentences(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        cur.push(c);
        let end = matches!(c, '。' | '！' | '？')
            || matches!(c, '.' | '!' | '?') && chars.get(i + 1).is_none_or(|n| n.is_whitespace());
        if end && cur.trim().chars().count() > 20 {
            out.push(cur.trim().to_string());
            cur.clear();
        }
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

/// An RSS 2.0 document.
pub fn rss(site: &str, items: &[Item]) -> String {
    let mut x = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>{site}</title><link>https://{site}/</link>\n"
    );
    for it in items {
        let mut html = String::new();
        for p in &it.paragraphs {
            html.push_str(&format!("<p>{}</p>", xml_escape(p)));
        }
        html.push_str(&it.html_tail);
        x.push_str(&format!(
            "<item><title>{}</title><link>{}</link><guid>{}</guid>",
            xml_escape(&it.title),
            xml_escape(&it.url),
            xml_escape(&it.url)
        ));
        if let Some(p) = it.published {
            x.push_str(&format!(
                "<pubDate>{}</pubDate>",
                chrono::DateTime::from_timestamp(p, 0).unwrap().to_rfc2822()
            ));
        }
        x.push_str(&format!(
            "<description>{}</description></item>\n",
            xml_escape(&html)
        ));
    }
    x.push_str("</channel></rss>\n");
    x
}

/// A temporary database that feeds are read into at chosen times.
pub struct World {
    /// The store.
    pub store: Store,
    /// The settings every read places with.
    pub config: Config,
    dir: tempfile::TempDir,
    feeds: BTreeMap<String, firsthand::domain::FeedId>,
}

impl World {
    /// An empty world.
    pub fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(&dir.path().join("t.db")).unwrap();
        Self {
            store,
            config: Config::default(),
            dir,
            feeds: BTreeMap::new(),
        }
    }

    /// Reads a site's feed document at time `now` (stored like a fetch) and places the new
    /// articles.
    pub fn read(&mut self, site: &str, items: &[Item], now: i64) {
        self.store_site(site, items, now);
        let mut m = Matcher::new(self.config.clone());
        firsthand::pipeline::place_pending(&mut self.store, &mut m, now, &mut |_| {}).unwrap();
    }

    /// Reads several sites' feed documents at time `now`, as one poll pass does: all are
    /// stored, then the new articles are placed together (in order of publication).
    pub fn read_together(&mut self, sites: &[(String, Vec<Item>)], now: i64) {
        for (site, items) in sites {
            self.store_site(site, items, now);
        }
        let mut m = Matcher::new(self.config.clone());
        firsthand::pipeline::place_pending(&mut self.store, &mut m, now, &mut |_| {}).unwrap();
    }

    fn store_site(&mut self, site: &str, items: &[Item], now: i64) {
        let url = format!("https://{site}/feed.xml");
        let xml = rss(site, items);
        let file = self.dir.path().join(format!("{site}.xml"));
        std::fs::write(&file, &xml).unwrap();
        let (parsed, articles) =
            firsthand::pipeline::articles(xml.as_bytes(), &file.display().to_string(), &url)
                .unwrap();
        let id = match self.feeds.get(site) {
            Some(id) => *id,
            None => {
                let (id, _) = self
                    .store
                    .add_feed(&url, parsed.title.as_deref(), firsthand::store::time(now))
                    .unwrap();
                self.feeds.insert(site.into(), id);
                id
            }
        };
        let rec = FetchRecord {
            status: Some(200),
            ..FetchRecord::default()
        };
        firsthand::pipeline::store_document(&mut self.store, id, &url, &articles, Some(&rec), now)
            .unwrap();
    }

    /// Story id of an article URL.
    pub fn story_of(&self, url: &str) -> i64 {
        let a = self.store.article_by_url(url).unwrap();
        let v = firsthand::output::views::origin_json(&self.store, url).unwrap();
        let _ = a;
        v["story"].as_i64().unwrap()
    }

    /// `origin URL --json` for an article.
    pub fn origin(&self, url: &str) -> serde_json::Value {
        firsthand::output::views::origin_json(&self.store, url).unwrap()
    }

    /// The original's URL of the story holding `url`.
    pub fn original_of(&self, url: &str) -> Option<String> {
        self.origin(url)["original"]["url"]
            .as_str()
            .map(str::to_string)
    }

    /// A member's relation.
    pub fn relation(&self, url: &str) -> String {
        self.origin(url)["relation"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }
}

/// A text file's non-empty lines as an article: the first is its title.
pub fn article_from_lines(path: &Path, url: &str, published: i64) -> Item {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let lines: Vec<String> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect();
    Item {
        url: url.into(),
        title: lines[0].clone(),
        paragraphs: lines[1..].to_vec(),
        html_tail: String::new(),
        published: Some(published),
    }
}

/// Issue 15's seed case, read with `config`: ifanr's Chinese article (on ifanr.com), its
/// Italian machine translation from ../shared/seed an hour later (footer and promo line
/// translated too), an English translation an hour after that, and an Italian repost of
/// half the machine translation; among Italian news about Musk, OpenAI and Tesla and other
/// news. The four must be one story that names ifanr's article its original, and every
/// other article stays out of it. The Chinese and English texts are renderings of the
/// Italian one written for these tests (tests/fixtures/seed/README.md).
pub fn the_seed_case(config: Config) {
    const T0: i64 = 1_700_000_000;
    const HOUR: i64 = 3600;
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let zh = article_from_lines(
        &root.join("tests/fixtures/seed/ifanr-musk-gpu.zh.txt"),
        "https://www.ifanr.com/1541245",
        T0,
    );
    let it = article_from_lines(
        &root.join("../shared/seed/ifanr-musk-gpu.it.txt"),
        "https://it.example/musk-gpu",
        T0 + HOUR,
    );
    let en = article_from_lines(
        &root.join("tests/fixtures/seed/ifanr-musk-gpu.en.txt"),
        "https://en.example/musk-gpus",
        T0 + 2 * HOUR,
    );
    let mut repost = it.clone();
    repost.url = "https://rilancio.example/musk".into();
    repost.title = "Musk compra GPU per Twitter".into();
    repost.paragraphs.truncate(it.paragraphs.len() / 2);
    repost.published = Some(T0 + 3 * HOUR);
    let it_news = italian_news_about_musk(T0);
    let ifanr_news: Vec<Item> = dev()
        .iter()
        .filter(|d| d.is_original && d.lang == "zh")
        .take(3)
        .enumerate()
        .map(|(k, d)| Item::from_doc(&format!("https://www.ifanr.com/news-{k}"), d))
        .collect();
    let mut w = World::new();
    w.config = config;
    let mut ifanr_feed = ifanr_news.clone();
    ifanr_feed.push(zh.clone());
    w.read("www.ifanr.com", &ifanr_feed, T0 + HOUR / 2);
    let mut it_feed = it_news.clone();
    it_feed.push(it.clone());
    w.read("it.example", &it_feed, T0 + 2 * HOUR);
    w.read("en.example", std::slice::from_ref(&en), T0 + 3 * HOUR);
    w.read(
        "rilancio.example",
        std::slice::from_ref(&repost),
        T0 + 4 * HOUR,
    );
    let s = w.story_of(&zh.url);
    for copy in [&it, &en, &repost] {
        assert_eq!(
            w.story_of(&copy.url),
            s,
            "{} is not in ifanr's story",
            copy.url
        );
        assert_eq!(
            w.original_of(&copy.url).as_deref(),
            Some(zh.url.as_str()),
            "{}",
            copy.url
        );
    }
    for o in it_news.iter().chain(&ifanr_news) {
        assert_ne!(w.story_of(&o.url), s, "{} joined the seed's story", o.url);
    }
}

/// Italian news about Musk, OpenAI and Tesla (written for the tests), published from `t0`
/// on at it.example, then three English originals of the dev set there: what the seed
/// case's copies must stay apart from.
pub fn italian_news_about_musk(t0: i64) -> Vec<Item> {
    let distractors = [
        (
            "Musk lancia xAI per sfidare OpenAI",
            "Elon Musk ha annunciato la nascita di xAI, una nuova società di intelligenza artificiale. \
             Il gruppo riunisce ricercatori provenienti da Google, DeepMind e OpenAI. \
             Secondo Musk l'obiettivo è capire la vera natura dell'universo. \
             La società avrà sede in Nevada e lavorerà a stretto contatto con Twitter e Tesla.",
        ),
        (
            "OpenAI presenta GPT-4 agli sviluppatori",
            "OpenAI ha reso disponibile GPT-4 a un primo gruppo di sviluppatori. \
             Il modello accetta immagini oltre al testo e supera molti esami professionali. \
             Microsoft ha confermato che il nuovo Bing usa già il modello da alcune settimane. \
             L'accesso all'API avverrà tramite una lista d'attesa.",
        ),
        (
            "Tesla taglia di nuovo i prezzi in Europa",
            "Tesla ha ridotto i prezzi della Model 3 e della Model Y in diversi paesi europei. \
             È il secondo taglio dall'inizio dell'anno. \
             Gli analisti temono una guerra dei prezzi con i costruttori cinesi. \
             Le consegne del trimestre sono comunque cresciute rispetto all'anno scorso.",
        ),
    ];
    let mut others: Vec<Item> = distractors
        .iter()
        .enumerate()
        .map(|(k, (title, body))| Item {
            url: format!("https://it.example/altro-{k}"),
            title: (*title).to_string(),
            paragraphs: sentences(body),
            html_tail: String::new(),
            published: Some(t0 + k as i64 * 60),
        })
        .collect();
    others.extend((0..3).map(|k| {
        Item::from_doc(
            &format!("https://it.example/news-{k}"),
            original_in("en", k),
        )
    }));
    others
}
