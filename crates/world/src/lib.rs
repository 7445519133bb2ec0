//! A world of feeds built from a labelled set, for the demo, end-to-end tests and
//! benchmarks: each original on its outlet's feed; translations and same-language reposts
//! on other sites' feeds (RSS 2.0, Atom, JSON Feed), published minutes to days later,
//! some crediting their source with a link, some with wrong clocks or no dates, some
//! summaries only, every site with its own boilerplate line. Deterministic from a seed.
//! [`serve`] puts it on 127.0.0.1 with ETag / 304 support.
//!
//! A test kit: firsthand's demo, `eval --world`, benchmarks and tests use it, and it uses
//! nothing of firsthand (the labelled [`Doc`] and [`xml_escape`] live here, and firsthand
//! re-uses them), so that both can depend on it.

use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeMap;
use twox_hash::XxHash3_64;

/// One labelled document.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Doc {
    /// Unique id.
    pub id: String,
    /// Gold story.
    pub cluster: String,
    /// Language.
    pub lang: String,
    /// Paragraphs joined by newlines (the first is the headline).
    pub text: String,
    /// Whether this is the story's original.
    #[serde(default)]
    pub is_original: bool,
    /// Optional link.
    #[serde(default)]
    pub url: Option<String>,
    /// Optional title (else the first line).
    #[serde(default)]
    pub title: Option<String>,
    /// Optional publication time (RFC 3339).
    #[serde(default)]
    pub published: Option<String>,
    /// Optional role/system, used to name a synthetic site.
    #[serde(default)]
    pub role: Option<String>,
    /// MT system name.
    #[serde(default)]
    pub system: Option<String>,
}

/// Escapes text for XML element content and attribute values.
#[must_use]
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Characters XML 1.0 forbids.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\t' | '\r') => {}
            '\u{FFFE}' | '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// The site of a URL: its host without `www.`, lowercase (as firsthand names sites).
fn site(url: &str) -> Option<String> {
    let u = url::Url::parse(url).ok()?;
    let host = u.host_str()?.to_ascii_lowercase();
    Some(host.strip_prefix("www.").unwrap_or(&host).to_string())
}

/// One article placed in the world, with its gold labels.
#[derive(Debug, Clone)]
pub struct Placed {
    /// Article link.
    pub url: String,
    /// Gold story.
    pub cluster: String,
    /// Whether it is the story's original.
    pub is_original: bool,
    /// Language.
    pub lang: String,
}

/// A feed file of the world.
#[derive(Debug, Clone)]
pub struct FeedFile {
    /// Path on the server, e.g. `/outlet-de-1/feed.xml`.
    pub path: String,
    /// Content type.
    pub content_type: &'static str,
    /// The document.
    pub body: Vec<u8>,
}

/// The generated world.
#[derive(Debug, Clone, Default)]
pub struct World {
    /// Feed files.
    pub feeds: Vec<FeedFile>,
    /// Every article with its gold labels.
    pub articles: Vec<Placed>,
}

/// The shape of a world: which kinds of copies it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Shape {
    /// Originals, their translations (human and machine) and edited same-language
    /// reposts, on outlets and copy sites in several languages.
    #[default]
    Mixed,
    /// Originals and their same-language reposts on aggregators: full, trimmed,
    /// re-titled, snippets, near-empty items (title and a subscribe line), link posts;
    /// outlets with long standard footers and promo lines.
    Syndication,
    /// Every version of a story (each system's translation) also reposted on two
    /// aggregators: stories of up to ~225 copies.
    Large,
}

/// How hostile the world is.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Which kinds of copies the world holds.
    pub shape: Shape,
    /// Seed of every random choice.
    pub seed: u64,
    /// Share of copies that credit their source with a link.
    pub credit: f64,
    /// Share of originals that get a same-language repost on an aggregator.
    pub reposts: f64,
    /// Share of copy sites whose clock is wrong by whole hours.
    pub wrong_clock: f64,
    /// Share of copy sites that give no dates.
    pub no_dates: f64,
    /// Share of copy sites that publish summaries only.
    pub summaries: f64,
    /// Time of the first original.
    pub start: DateTime<Utc>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            shape: Shape::Mixed,
            seed: 7,
            credit: 0.35,
            reposts: 0.5,
            wrong_clock: 0.15,
            no_dates: 0.1,
            summaries: 0.1,
            start: DateTime::from_timestamp(1_700_000_000, 0).unwrap_or_default(),
        }
    }
}

/// A deterministic die: uniform in [0, 1) from a seed and some keys.
fn roll(seed: u64, keys: &[&str]) -> f64 {
    let h = XxHash3_64::oneshot_with_seed(seed, keys.join("\u{0}").as_bytes());
    #[allow(clippy::cast_precision_loss)]
    let x = (h >> 11) as f64 / (1u64 << 53) as f64;
    x
}

fn pick(seed: u64, keys: &[&str], n: usize) -> usize {
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let k = (roll(seed, keys) * n as f64) as usize;
    k.min(n.saturating_sub(1))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Rss,
    Atom,
    Json,
}

struct Site {
    name: String,
    format: Format,
    clock: i64,
    dated: bool,
    summaries: bool,
    /// Lines under every article of the site.
    boilerplate: Vec<String>,
    items: Vec<Item>,
}

struct Item {
    url: String,
    title: String,
    paragraphs: Vec<String>,
    published: DateTime<Utc>,
    credit: Option<(String, String)>,
    /// A link post: the body is only links (to the story, and to comments).
    link_post: Option<String>,
    /// Whether the site's lines go under it (near-empty items have their own).
    boilerplate: bool,
}

const CREDIT_WORDS: &[(&str, &str)] = &[
    ("en", "Source"),
    ("de", "Quelle"),
    ("fr", "Source"),
    ("es", "Fuente"),
    ("it", "Fonte"),
    ("ru", "Источник"),
    ("uk", "Джерело"),
    ("cs", "Zdroj"),
    ("hr", "Izvor"),
    ("is", "Heimild"),
    ("zh", "来源"),
    ("ja", "出典"),
    ("hi", "स्रोत"),
];

fn credit_word(lang: &str) -> &'static str {
    CREDIT_WORDS
        .iter()
        .find(|c| c.0 == lang)
        .map_or("Source", |c| c.1)
}

/// Builds the world from labelled documents.
#[must_use]
pub fn build(docs: &[Doc], opt: &Options) -> World {
    let s = opt.seed;
    let mut clusters: BTreeMap<&str, Vec<&Doc>> = BTreeMap::new();
    for d in docs {
        clusters.entry(d.cluster.as_str()).or_default().push(d);
    }
    let mut w = Builder {
        opt,
        sites: BTreeMap::new(),
        placed: Vec::new(),
        urls: std::collections::HashSet::new(),
    };
    for (ci, (cluster, members)) in clusters.iter().enumerate() {
        let Some(orig) = members.iter().find(|d| d.is_original).or(members.first()) else {
            continue;
        };
        let t0 = opt.start + Duration::minutes(i64::try_from(ci).unwrap_or(0) * 41);
        let outlet = w.site(
            format!("outlet-{}-{}", orig.lang, pick(s, &[cluster, "outlet"], 3)),
            true,
        );
        let orig_url = format!("https://{outlet}.example/{}", slug(orig));
        let (otitle, obody) = split_title(&lines(orig));
        w.put(
            &outlet,
            cluster,
            true,
            &orig.lang,
            Item::new(orig_url.clone(), otitle.clone(), obody.clone(), t0, None),
        );
        if opt.shape == Shape::Syndication {
            w.syndicate(cluster, orig, &orig_url, &otitle, &obody, t0);
            continue;
        }
        // Translations and other versions on copy sites.
        let mut prev_copy: Option<String> = None;
        for d in members.iter().filter(|d| d.id != orig.id) {
            let name = w.site(
                format!("copy-{}-{}", d.lang, pick(s, &[&d.id, "site"], 4)),
                false,
            );
            let url = format!("https://{name}.example/{}", slug(d));
            let (title, body) = split_title(&lines(d));
            let published = t0 + Duration::minutes(delay_minutes(s, &d.id));
            let credit = (roll(s, &[&d.id, "credit"]) < opt.credit).then(|| {
                // Now and then a copy credits an earlier copy instead (a chain).
                let target = match &prev_copy {
                    Some(p) if roll(s, &[&d.id, "chain"]) < 0.15 => p.clone(),
                    _ => orig_url.clone(),
                };
                (credit_word(&d.lang).to_string(), target)
            });
            w.put(
                &name,
                cluster,
                false,
                &d.lang,
                Item::new(url.clone(), title.clone(), body.clone(), published, credit),
            );
            if opt.shape == Shape::Large {
                // Each version is taken up by two aggregators of its language.
                for k in 0..2 {
                    let key = format!("{}-{k}", d.id);
                    w.repost(cluster, &d.lang, &key, &url, &title, &body, published);
                }
            }
            prev_copy = Some(url);
        }
        // A same-language repost of the original, edited.
        let reposts = match opt.shape {
            Shape::Large => 2,
            _ => usize::from(roll(s, &[cluster, "repost"]) < opt.reposts),
        };
        for k in 0..reposts {
            let key = if k == 0 {
                (*cluster).to_string()
            } else {
                format!("{cluster}-{k}")
            };
            w.repost(cluster, &orig.lang, &key, &orig_url, &otitle, &obody, t0);
        }
    }
    World {
        feeds: w.sites.into_values().map(|st| render(&st)).collect(),
        articles: w.placed,
    }
}

fn slug(d: &Doc) -> String {
    d.id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

fn lines(d: &Doc) -> Vec<String> {
    d.text
        .lines()
        .map(str::to_string)
        .filter(|l| !l.trim().is_empty())
        .collect()
}

impl Item {
    fn new(
        url: String,
        title: String,
        paragraphs: Vec<String>,
        published: DateTime<Utc>,
        credit: Option<(String, String)>,
    ) -> Self {
        Self {
            url,
            title,
            paragraphs,
            published,
            credit,
            link_post: None,
            boilerplate: true,
        }
    }
}

/// The world as it is built: sites with their items, and the gold labels.
struct Builder<'o> {
    opt: &'o Options,
    sites: BTreeMap<String, Site>,
    placed: Vec<Placed>,
    urls: std::collections::HashSet<String>,
}

/// What an aggregator makes of an article it takes up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Repost {
    /// Edited: trimmed, a sentence dropped, paragraphs swapped, a "Read more" line.
    Edited,
    /// The first half, under another title.
    Retitled,
    /// The lead paragraph only.
    Snippet,
    /// The title and a subscribe line, nothing else.
    NearEmpty,
    /// The title and links: to the article, and to the comments.
    LinkPost,
}

impl Builder<'_> {
    fn site(&mut self, name: String, original: bool) -> String {
        ensure_site(&mut self.sites, self.opt, name, original)
    }

    fn put(&mut self, site: &str, cluster: &str, is_original: bool, lang: &str, item: Item) {
        self.urls.insert(item.url.clone());
        self.placed.push(Placed {
            url: item.url.clone(),
            cluster: cluster.to_string(),
            is_original,
            lang: lang.to_string(),
        });
        if let Some(st) = self.sites.get_mut(site) {
            st.items.push(item);
        }
    }

    /// A same-language repost of `url` on an aggregator, edited (`key` picks the
    /// aggregator and the edits).
    #[allow(clippy::too_many_arguments)]
    fn repost(
        &mut self,
        cluster: &str,
        lang: &str,
        key: &str,
        url: &str,
        title: &str,
        body: &[String],
        after: DateTime<Utc>,
    ) {
        let s = self.opt.seed;
        let name = self.site(format!("agg-{lang}-{}", pick(s, &[key, "agg"], 3)), false);
        let slug = url.rsplit('/').next().unwrap_or_default();
        let own = format!("https://{name}.example/{slug}");
        let own = if self.urls.contains(&own) {
            format!("{own}-{}", pick(s, &[key, "n"], 1_000_000))
        } else {
            own
        };
        let credit = (roll(s, &[key, "agg-credit"]) < self.opt.credit)
            .then(|| (credit_word(lang).to_string(), url.to_string()));
        let item = Item::new(
            own.clone(),
            format!("{} ({})", title.trim_end_matches('.'), display_name(&name)),
            edit(s, key, body),
            after + Duration::minutes(delay_minutes(s, &own)),
            credit,
        );
        self.put(&name, cluster, false, lang, item);
    }

    /// The aggregators' takes on an original (the syndication world): between two and
    /// six, of every kind.
    fn syndicate(
        &mut self,
        cluster: &str,
        orig: &Doc,
        url: &str,
        title: &str,
        body: &[String],
        t0: DateTime<Utc>,
    ) {
        let s = self.opt.seed;
        let n = 2 + pick(s, &[cluster, "takes"], 5);
        for k in 0..n {
            let key = format!("{cluster}-{k}");
            let kind = [
                Repost::Edited,
                Repost::Edited,
                Repost::Retitled,
                Repost::Snippet,
                Repost::NearEmpty,
                Repost::LinkPost,
            ][pick(s, &[&key, "kind"], 6)];
            let name = self.site(
                format!("agg-{}-{}", orig.lang, pick(s, &[&key, "agg"], 6)),
                false,
            );
            let own = format!("https://{name}.example/{}-{k}", slug(orig));
            let published = t0 + Duration::minutes(delay_minutes(s, &own));
            let credit = (roll(s, &[&key, "credit"]) < self.opt.credit)
                .then(|| (credit_word(&orig.lang).to_string(), url.to_string()));
            let item = match kind {
                Repost::Edited => Item::new(
                    own.clone(),
                    title.to_string(),
                    edit(s, &key, body),
                    published,
                    credit,
                ),
                Repost::Retitled => {
                    // Another headline: the lead's first words.
                    let lead = body.first().map_or("", String::as_str);
                    let words: Vec<&str> = lead.split_whitespace().take(9).collect();
                    let half = body[..body.len().div_ceil(2)].to_vec();
                    Item::new(own.clone(), words.join(" "), half, published, credit)
                }
                Repost::Snippet => Item::new(
                    own.clone(),
                    title.to_string(),
                    body.iter().take(1).cloned().collect(),
                    published,
                    credit,
                ),
                Repost::NearEmpty => {
                    let mut it = Item::new(
                        own.clone(),
                        title.to_string(),
                        vec![
                            "***".to_string(),
                            format!("Subscribe to the {name} channel so you miss nothing."),
                        ],
                        published,
                        None,
                    );
                    it.boilerplate = false;
                    it
                }
                Repost::LinkPost => {
                    let mut it =
                        Item::new(own.clone(), title.to_string(), Vec::new(), published, None);
                    it.link_post = Some(url.to_string());
                    it.boilerplate = false;
                    it
                }
            };
            self.put(&name, cluster, false, &orig.lang, item);
        }
    }
}

fn ensure_site(
    sites: &mut BTreeMap<String, Site>,
    opt: &Options,
    name: String,
    original: bool,
) -> String {
    let s = opt.seed;
    sites.entry(name.clone()).or_insert_with(|| {
        let format = [Format::Rss, Format::Atom, Format::Json][pick(s, &[&name, "format"], 3)];
        let wrong = !original && roll(s, &[&name, "clock"]) < opt.wrong_clock;
        let clock = if wrong {
            [-9, -5, -3, 2, 8][pick(s, &[&name, "skew"], 5)] * 3600
        } else {
            0
        };
        Site {
            format,
            clock,
            dated: original || roll(s, &[&name, "dates"]) >= opt.no_dates,
            summaries: !original && roll(s, &[&name, "summary"]) < opt.summaries,
            boilerplate: site_lines(opt, &name, original),
            items: Vec::new(),
            name: name.clone(),
        }
    });
    name
}

/// How a site names itself in titles: its name with digits as letters ("agg-en-1" →
/// "agg-en-b"), as site names go.
fn display_name(name: &str) -> String {
    name.chars()
        .map(|c| match c.to_digit(10) {
            Some(d) => char::from(b'a' + u8::try_from(d).unwrap_or(0)),
            None => c,
        })
        .collect()
}

/// The lines a site puts under every article: a short line; in the syndication world,
/// outlets add a long standard footer and a promo line.
fn site_lines(opt: &Options, name: &str, original: bool) -> Vec<String> {
    let mut out = vec![format!(
        "This article appeared on {name}. Opinions belong to their authors."
    )];
    if opt.shape == Shape::Syndication && original {
        out.push(format!(
            "{name} is an independent newsroom. All rights reserved: reproduction of this article in any form, \
             in whole or in part, requires the written permission of the editors. Pictures belong to their \
             agencies. Corrections, comments and tips reach the desk at any hour; we answer every message \
             within two working days and publish corrections under the article concerned."
        ));
        out.push(format!(
            "#Follow the {name} public account for the latest news every day, and share it with your friends#"
        ));
    }
    out
}

/// Minutes from the original to a copy: mostly within hours, sometimes days.
fn delay_minutes(seed: u64, key: &str) -> i64 {
    let x = roll(seed, &[key, "delay"]);
    #[allow(clippy::cast_possible_truncation)]
    let m = (5.0 + (-(1.0 - x).ln()) * 300.0) as i64;
    m.min(5 * 24 * 60)
}

fn split_title(lines: &[String]) -> (String, Vec<String>) {
    match lines.split_first() {
        Some((t, rest)) if !rest.is_empty() => (t.clone(), rest.to_vec()),
        Some((t, _)) => (t.chars().take(80).collect(), vec![t.clone()]),
        None => (String::new(), Vec::new()),
    }
}

/// The edits aggregators make: trim, drop a sentence, swap two paragraphs, insert a
/// "Read more" line.
fn edit(seed: u64, key: &str, body: &[String]) -> Vec<String> {
    let mut out: Vec<String> = body.to_vec();
    match pick(seed, &[key, "edit"], 4) {
        0 if out.len() > 3 => out.truncate(out.len().div_ceil(2).max(3)),
        1 if out.len() > 2 => {
            let i = pick(seed, &[key, "drop"], out.len());
            out.remove(i);
        }
        2 if out.len() > 3 => out.swap(1, 2),
        _ => {}
    }
    if out.len() > 2 {
        out.insert(2, "Read more: our full coverage of this topic".to_string());
    }
    out
}

fn html_body(st: &Site, it: &Item) -> String {
    let paras: Vec<&String> = if st.summaries {
        it.paragraphs.iter().take(1).collect()
    } else {
        it.paragraphs.iter().collect()
    };
    let mut h = String::new();
    for p in paras {
        h.push_str(&format!("<p>{}</p>", xml_escape(p)));
    }
    if let Some((word, target)) = &it.credit {
        h.push_str(&format!(
            "<p>{word}: <a href=\"{}\">{}</a></p>",
            xml_escape(target),
            xml_escape(&site(target).unwrap_or_default())
        ));
    }
    if let Some(target) = &it.link_post {
        h.push_str(&format!(
            "<p>Article URL: <a href=\"{0}\">{0}</a></p><p><a href=\"{1}#comments\">Comments</a></p>",
            xml_escape(target),
            xml_escape(&it.url)
        ));
    }
    if it.boilerplate {
        for line in &st.boilerplate {
            h.push_str(&format!("<p>{}</p>", xml_escape(line)));
        }
    }
    h
}

/// The language of a site: its name is kind-language-number.
fn site_lang(name: &str) -> &str {
    name.split('-').nth(1).unwrap_or("en")
}

fn render(st: &Site) -> FeedFile {
    let time = |it: &Item| it.published + Duration::seconds(st.clock);
    let path = format!(
        "/{}/feed.{}",
        st.name,
        if st.format == Format::Json {
            "json"
        } else {
            "xml"
        }
    );
    let body = match st.format {
        Format::Rss => {
            let mut x = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>{0}</title><link>https://{0}.example/</link><description>{0}</description><language>{1}</language>\n",
                st.name,
                site_lang(&st.name)
            );
            for it in &st.items {
                x.push_str(&format!(
                    "<item><title>{}</title><link>{}</link><guid>{}</guid>",
                    xml_escape(&it.title),
                    xml_escape(&it.url),
                    xml_escape(&it.url)
                ));
                if st.dated {
                    x.push_str(&format!("<pubDate>{}</pubDate>", time(it).to_rfc2822()));
                }
                x.push_str(&format!(
                    "<description>{}</description></item>\n",
                    xml_escape(&html_body(st, it))
                ));
            }
            x.push_str("</channel></rss>\n");
            x
        }
        Format::Atom => {
            let mut x = format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{1}\"><title>{0}</title><id>urn:{0}</id><link href=\"https://{0}.example/\"/><updated>2023-01-01T00:00:00Z</updated>\n",
                st.name,
                site_lang(&st.name)
            );
            for it in &st.items {
                x.push_str(&format!(
                    "<entry><title>{}</title><id>{}</id><link href=\"{}\"/>",
                    xml_escape(&it.title),
                    xml_escape(&it.url),
                    xml_escape(&it.url)
                ));
                if st.dated {
                    x.push_str(&format!(
                        "<published>{}</published><updated>{}</updated>",
                        time(it).to_rfc3339(),
                        time(it).to_rfc3339()
                    ));
                }
                x.push_str(&format!(
                    "<content type=\"html\">{}</content></entry>\n",
                    xml_escape(&html_body(st, it))
                ));
            }
            x.push_str("</feed>\n");
            x
        }
        Format::Json => {
            let items: Vec<serde_json::Value> = st
                .items
                .iter()
                .map(|it| {
                    let mut v = serde_json::json!({"id": it.url, "url": it.url, "title": it.title, "content_html": html_body(st, it)});
                    if st.dated {
                        v["date_published"] = serde_json::Value::String(time(it).to_rfc3339());
                    }
                    v
                })
                .collect();
            serde_json::to_string(&serde_json::json!({"version": "https://jsonfeed.org/version/1.1", "title": st.name, "home_page_url": format!("https://{}.example/", st.name), "language": site_lang(&st.name), "items": items})).unwrap_or_default()
        }
    };
    FeedFile {
        path,
        content_type: match st.format {
            Format::Json => "application/feed+json",
            Format::Atom => "application/atom+xml",
            Format::Rss => "application/rss+xml",
        },
        body: body.into_bytes(),
    }
}

/// Serves the world's feeds on 127.0.0.1 (ETag + 304). Returns the base URL; the server
/// runs on `rt` until it is dropped.
///
/// # Errors
/// When no port can be bound.
pub fn serve(rt: &tokio::runtime::Runtime, feeds: Vec<FeedFile>) -> std::io::Result<String> {
    use axum::http::{HeaderMap, StatusCode, header};
    use axum::response::IntoResponse;
    let files: std::sync::Arc<BTreeMap<String, FeedFile>> =
        std::sync::Arc::new(feeds.into_iter().map(|f| (f.path.clone(), f)).collect());
    let listener = rt.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
    let addr = listener.local_addr()?;
    let app = axum::Router::new().fallback(move |uri: axum::http::Uri, headers: HeaderMap| {
        let files = std::sync::Arc::clone(&files);
        async move {
            let Some(f) = files.get(uri.path()) else {
                return StatusCode::NOT_FOUND.into_response();
            };
            let etag = format!("\"{:016x}\"", XxHash3_64::oneshot(&f.body));
            if headers
                .get(header::IF_NONE_MATCH)
                .and_then(|v| v.to_str().ok())
                == Some(etag.as_str())
            {
                return (StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response();
            }
            (
                [
                    (header::CONTENT_TYPE, f.content_type.to_string()),
                    (header::ETAG, etag),
                ],
                f.body.clone(),
            )
                .into_response()
        }
    });
    rt.spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    Ok(format!("http://{addr}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            xml_escape("<script>\"x\" & 'y'</script>\u{1}"),
            "&lt;script&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/script&gt;"
        );
    }

    #[test]
    fn a_site_is_its_host_without_www() {
        assert_eq!(
            site("https://WWW.Example.com/a").as_deref(),
            Some("example.com")
        );
        assert_eq!(site("not a url"), None);
    }
}
