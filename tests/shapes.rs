//! The shapes of news nobody tuned matching to (issue: "matching that holds on feeds
//! nobody tuned it to"), each reproduced on real text: items with no text of their own,
//! a site's footer, weak evidence across languages, stories of many copies, originals
//! that credit and clocks name, and real feeds from other projects' test suites whose
//! different items must stay apart.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod stories;
mod support;

use std::collections::BTreeSet;
use stories::{Item, World, cluster, dev, original_in};

const T0: i64 = 1_700_000_000;
const HOUR: i64 = 3600;

/// Five originals of different stories, each taken up by an aggregator as a near-empty
/// item (its title, "***" and a subscribe line) and as a link post (its title, the
/// article's URL and a comments link).
#[test]
fn items_with_no_text_of_their_own_join_only_by_title_or_link() {
    let mut w = World::new();
    let originals: Vec<Item> = (0..5)
        .map(|k| Item::from_doc(&format!("https://outlet.example/{k}"), original_in("en", k)))
        .collect();
    w.read("outlet.example", &originals, T0);
    let near_empty: Vec<Item> = originals
        .iter()
        .enumerate()
        .map(|(k, o)| Item {
            url: format!("https://agg.example/{k}"),
            title: o.title.clone(),
            paragraphs: vec![
                "***".into(),
                "Subscribe to our channel so you miss nothing.".into(),
            ],
            html_tail: String::new(),
            published: Some(T0 + HOUR),
        })
        .collect();
    w.read("agg.example", &near_empty, T0 + HOUR);
    let links: Vec<Item> = originals
        .iter()
        .enumerate()
        .map(|(k, o)| Item {
            url: format!("https://news.example/item?id={k}"),
            title: format!("Discussion {k}"),
            paragraphs: Vec::new(),
            html_tail: format!(
                "<p>Article URL: <a href=\"{0}\">{0}</a></p><p><a href=\"https://news.example/item?id={k}\">Comments</a></p>",
                o.url
            ),
            published: Some(T0 + 2 * HOUR),
        })
        .collect();
    w.read("news.example", &links, T0 + 2 * HOUR);
    let stories: BTreeSet<i64> = originals.iter().map(|o| w.story_of(&o.url)).collect();
    assert_eq!(stories.len(), 5, "the originals are five stories");
    for k in 0..5 {
        let s = w.story_of(&originals[k].url);
        assert_eq!(
            w.story_of(&near_empty[k].url),
            s,
            "near-empty item {k} joins by title"
        );
        assert_eq!(w.story_of(&links[k].url), s, "link post {k} joins by link");
        assert_eq!(
            w.original_of(&near_empty[k].url).as_deref(),
            Some(originals[k].url.as_str())
        );
    }
}

/// The same near-empty items with titles of their own join nothing: there is nothing to
/// match them on.
#[test]
fn retitled_near_empty_items_stay_alone() {
    let mut w = World::new();
    let items: Vec<Item> = (0..6)
        .map(|k| Item {
            url: format!("https://agg.example/{k}"),
            title: format!("Today's pick number {k}"),
            paragraphs: vec![
                "***".into(),
                "Subscribe to our channel so you miss nothing.".into(),
            ],
            html_tail: String::new(),
            published: Some(T0 + k as i64 * 60),
        })
        .collect();
    w.read("agg.example", &items, T0 + HOUR);
    let stories: BTreeSet<i64> = items.iter().map(|i| w.story_of(&i.url)).collect();
    assert_eq!(stories.len(), 6, "six items, six stories");
}

/// Two different short articles of one site under the site's long standard footer.
#[test]
fn a_sites_footer_does_not_make_a_copy() {
    let footer = "This report was produced by the newsroom of Example Broadcasting. All rights \
                  reserved. Reproduction in any form requires the permission of the editors; \
                  pictures belong to their agencies; write to the desk for corrections, which \
                  we publish under the article concerned within two working days.";
    let mut a = Item::from_doc("https://tv.example/a", original_in("en", 7));
    let mut b = Item::from_doc("https://tv.example/b", original_in("en", 8));
    a.paragraphs.truncate(2);
    b.paragraphs.truncate(2);
    a.paragraphs.push(footer.into());
    b.paragraphs.push(footer.into());
    let mut w = World::new();
    // Read one at a time, so the site's repetition is not visible within one document.
    w.read("tv.example", std::slice::from_ref(&a), T0);
    w.read("tv.example", std::slice::from_ref(&b), T0 + HOUR);
    assert_ne!(w.story_of(&a.url), w.story_of(&b.url));
}

/// An aggregator that lists one article twice in a document, the second time under a
/// title of its own, among other articles under its footer: both copies keep their text
/// (the site carries the text twice; that does not make it boilerplate).
#[test]
fn an_article_a_site_carries_twice_keeps_its_text() {
    let footer = "Example Aggregator brings you the news of the day, every day.";
    // Paragraphs of a sentence or two, as many sites write them (a line of over 400
    // characters is never taken for boilerplate).
    let short_paragraphs = |mut item: Item| {
        item.paragraphs = item
            .paragraphs
            .iter()
            .flat_map(|p| p.split_inclusive(". ").map(str::to_string))
            .collect();
        item
    };
    let original = short_paragraphs(Item::from_doc(
        "https://outlet.example/a",
        original_in("en", 3),
    ));
    let mut w = World::new();
    w.read("outlet.example", std::slice::from_ref(&original), T0);
    let on_agg = |k: usize, item: &Item, title: &str| {
        let mut copy = item.clone();
        copy.url = format!("https://agg.example/{k}");
        copy.title = title.into();
        copy.paragraphs.push(footer.into());
        copy
    };
    // The aggregator's other articles teach it its footer.
    let others: Vec<Item> = (4..7)
        .map(|k| {
            let doc = short_paragraphs(Item::from_doc("https://x.example/", original_in("en", k)));
            let title = doc.title.clone();
            on_agg(k, &doc, &title)
        })
        .collect();
    for (k, other) in others.iter().enumerate() {
        w.read(
            "agg.example",
            std::slice::from_ref(other),
            T0 + k as i64 * 60,
        );
    }
    // Both copies in one document of the feed.
    let first = on_agg(1, &original, &original.title);
    let second = on_agg(2, &original, "Today's pick: what the outlet reported");
    w.read("agg.example", &[first.clone(), second.clone()], T0 + HOUR);
    let story = w.story_of(&original.url);
    assert_eq!(w.story_of(&first.url), story);
    assert_eq!(w.story_of(&second.url), story, "the re-titled second copy");
    // No member gives a time: the fullest text names the original, and the copies keep
    // all of theirs (they lost four fifths of it as "boilerplate" before).
    assert_eq!(
        w.original_of(&second.url).as_deref(),
        Some(original.url.as_str())
    );
    for other in &others {
        assert_ne!(w.story_of(&other.url), story, "the footer joins nothing");
    }
}

/// Two real articles of different stories, an English one and a Japanese one, that share
/// three common numbers (a year, 70, 90), each taken up by two aggregators: four copies
/// in each language do not make the weak link between them stronger. They stay two
/// stories; a third language that matched both would be needed to join them.
#[test]
fn weak_evidence_does_not_bridge_two_stories_of_one_language_each() {
    let original = |cluster_id: &str| {
        stories::cluster(cluster_id)
            .into_iter()
            .find(|d| d.is_original)
            .unwrap()
    };
    let en = original("wmttest2022:en:bbc.381669");
    let ja = original("wmttest2022:ja:yahoo-ja.265919");
    let mut w = World::new();
    // Other news first, so that the numbers are as common as they are in a store.
    let background: Vec<Item> = dev()
        .iter()
        .filter(|d| d.cluster != en.cluster && d.cluster != ja.cluster)
        .take(1500)
        .enumerate()
        .map(|(k, d)| Item::from_doc(&format!("https://news{}.example/{k}", k % 40), d))
        .collect();
    for (k, part) in background.chunks(100).enumerate() {
        w.read(&format!("news{k}.example"), part, T0 - 86_400);
    }
    let mut urls = Vec::new();
    for (k, (doc, site)) in [(en, "en"), (ja, "ja")].into_iter().enumerate() {
        let first = Item::from_doc(&format!("https://outlet-{site}.example/a"), doc);
        let t = T0 + k as i64 * HOUR;
        w.read(
            &format!("outlet-{site}.example"),
            std::slice::from_ref(&first),
            t,
        );
        for agg in 0..2 {
            let mut copy = first.clone();
            copy.url = format!("https://agg{agg}-{site}.example/a");
            w.read(&format!("agg{agg}-{site}.example"), &[copy], t + 600);
        }
        urls.push(first.url);
    }
    assert_eq!(
        w.story_of(&urls[0]),
        w.story_of("https://agg1-en.example/a")
    );
    assert_eq!(
        w.story_of(&urls[1]),
        w.story_of("https://agg1-ja.example/a")
    );
    assert_ne!(w.story_of(&urls[0]), w.story_of(&urls[1]));
}

/// A Russian and a Chinese article of different stories that share a date and two small
/// numbers, and nothing else.
#[test]
fn one_date_and_small_numbers_do_not_join_languages() {
    let first = |lang: &str| {
        dev()
            .iter()
            .find(|d| d.is_original && d.lang == lang)
            .unwrap()
    };
    let mut ru = Item::from_doc("https://ru.example/a", first("ru"));
    let mut zh = Item::from_doc("https://zh.example/b", first("zh"));
    ru.paragraphs
        .push("11 декабря в заседании приняли участие 20 человек.".into());
    zh.paragraphs.push("12月11日，共有20人参加了会议。".into());
    let mut w = World::new();
    w.read("ru.example", std::slice::from_ref(&ru), T0);
    w.read("zh.example", std::slice::from_ref(&zh), T0 + HOUR);
    assert_ne!(w.story_of(&ru.url), w.story_of(&zh.url));
}

/// Every version of a story with several independent translations per language (each
/// system's output), each also reposted twice: one story each, with precision and recall
/// floors, measured through the whole pipeline over HTTP.
#[test]
fn stories_of_many_copies_hold_together() {
    let mut docs =
        firsthand::dataset::load(&support::shared().join("wmt-dev/dev-full-news.jsonl.gz"))
            .unwrap();
    // Stories in seven languages are the largest (75 versions, ~225 copies with reposts).
    let big: BTreeSet<String> = {
        let mut langs: std::collections::BTreeMap<&str, BTreeSet<&str>> = Default::default();
        for d in &docs {
            langs.entry(&d.cluster).or_default().insert(&d.lang);
        }
        langs
            .into_iter()
            .filter(|(_, l)| l.len() >= 7)
            .map(|(c, _)| c.to_string())
            .take(3)
            .collect()
    };
    docs.retain(|d| big.contains(&d.cluster));
    let opt = firsthand_world::Options {
        shape: firsthand_world::Shape::Large,
        ..firsthand_world::Options::default()
    };
    let s = firsthand::eval::run_world(&docs, &opt, None, &firsthand::cluster::Config::default())
        .unwrap();
    eprintln!(
        "large: {} documents, P {:.3} R {:.3}, split {:?}, originals {:.3}",
        s.documents, s.pairwise.precision, s.pairwise.recall, s.split_stories, s.originals_found
    );
    assert!(s.documents > 500, "{} documents", s.documents);
    assert!(
        s.pairwise.precision >= 0.98,
        "precision {:.3}",
        s.pairwise.precision
    );
    // Versions that match few others still form small pieces of their own; the floor
    // keeps what holds. The figure varies a little between runs of one build (fetches
    // finish in any order and placement is not wholly independent of it: #15, #18):
    // 0.940–0.946 over 3 runs since a site's second copy of a text keeps its lines
    // (0.724–0.806 over 12 runs before, when such copies lost their text).
    assert!(s.pairwise.recall >= 0.88, "recall {:.3}", s.pairwise.recall);
    // Each story keeps most of its copies in one piece.
    assert!(
        s.largest_piece >= 0.8,
        "largest piece {:.3}",
        s.largest_piece
    );
}

/// An English outlet's article; a copy crediting it an hour later; human Icelandic and
/// Japanese translations two hours later: the outlet is the original, whatever the texts
/// match best.
#[test]
fn credit_and_the_earliest_time_name_the_original() {
    let mut named = 0;
    let stories: Vec<&str> = {
        let mut seen = BTreeSet::new();
        dev()
            .iter()
            .filter(|d| d.is_original && d.lang == "en")
            .filter(|d| {
                let c = cluster(&d.cluster);
                ["is", "ja"].iter().all(|l| {
                    c.iter()
                        .any(|x| x.lang == *l && x.role.as_deref() == Some("reference"))
                })
            })
            .filter(|d| seen.insert(d.cluster.clone()))
            .map(|d| d.cluster.as_str())
            .take(5)
            .collect()
    };
    assert_eq!(stories.len(), 5);
    for (k, c) in stories.iter().enumerate() {
        let docs = cluster(c);
        let src = docs.iter().find(|d| d.is_original).unwrap();
        let mut w = World::new();
        let mut orig = Item::from_doc(&format!("https://outlet.example/{k}"), src);
        orig.published = Some(T0);
        w.read("outlet.example", std::slice::from_ref(&orig), T0 + 60);
        let mut copy = orig.clone();
        copy.url = format!("https://copy.example/{k}");
        copy.published = Some(T0 + HOUR);
        copy.html_tail = format!("<p>Source: <a href=\"{}\">Outlet</a></p>", orig.url);
        w.read("copy.example", std::slice::from_ref(&copy), T0 + HOUR + 60);
        for lang in ["is", "ja"] {
            let d = docs
                .iter()
                .find(|x| x.lang == lang && x.role.as_deref() == Some("reference"))
                .unwrap();
            let mut t = Item::from_doc(&format!("https://{lang}.example/{k}"), d);
            t.published = Some(T0 + 2 * HOUR);
            w.read(
                &format!("{lang}.example"),
                std::slice::from_ref(&t),
                T0 + 2 * HOUR + 60,
            );
        }
        if w.original_of(&copy.url).as_deref() == Some(orig.url.as_str()) {
            named += 1;
        } else {
            eprintln!("story {c}: {}", w.origin(&copy.url));
        }
    }
    assert_eq!(named, 5, "the outlet is named the original in every story");
}

/// Real feeds from other projects' suites: a podcast's episodes, a newspaper's articles
/// about one speech, weekly calendars, Reddit posts. Items of one feed with different
/// titles are never grouped.
#[test]
fn different_items_of_one_real_feed_stay_apart() {
    for f in [
        "rss-parser/test/input/giantbomb-podcast.rss",
        "rss-parser/test/input/guardian.rss",
        "rss-parser/test/input/reddit-atom.rss",
        "node-feedparser/test/feeds/wapowellness.xml",
    ] {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("f.db");
        let path = support::shared().join("feeds").join(f);
        support::cli(&db, &["ingest", &path.display().to_string()]).code(0, f);
        let r = support::cli(&db, &["stories", "--json"]);
        let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        for s in v.as_array().unwrap() {
            let titles: BTreeSet<&str> = s["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["title"].as_str().unwrap())
                .collect();
            assert_eq!(titles.len(), 1, "{f}: different items grouped: {titles:?}");
        }
    }
}

/// A podcast's two-line episode notes and a blog's long year in review (real feeds, read
/// together) share two or three MinHash values by chance; estimated from them, the notes
/// look "contained" in the review. They stay apart.
#[test]
fn a_short_item_is_not_a_copy_of_a_long_unrelated_one() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("f.db");
    let feeds = support::shared().join("feeds");
    let files = [
        "rss-parser/test/input/giantbomb-podcast.rss",
        "miniflux/internal/reader/parser/testdata/large_rss.xml",
    ]
    .map(|f| feeds.join(f).display().to_string());
    support::cli(&db, &["ingest", &files[0], &files[1]]).code(0, "ingest");
    let r = support::cli(&db, &["stories", "--json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    for s in v.as_array().unwrap() {
        let hosts: BTreeSet<&str> = s["members"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|m| m["url"].as_str()?.split('/').nth(2))
            .collect();
        assert_eq!(
            hosts.len(),
            1,
            "items of two sites grouped: {}",
            s["members"]
        );
    }
}

/// The seed: ifanr's article as an Italian machine translation, with its translated
/// footer and promo line, and an Italian repost of it that trims and re-titles it, among
/// other Italian articles: the two are one story, the others apart, and the footer's
/// credit names ifanr.
#[test]
fn the_seed_and_its_repost_are_one_story_among_distractors() {
    let seed = stories::article_from_lines(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/seed/ifanr-musk-gpu.it.txt"),
        "https://it.example/musk-gpu",
        T0 + HOUR,
    );
    let mut repost = seed.clone();
    repost.url = "https://rilancio.example/musk".into();
    repost.title = "Musk compra GPU per Twitter".into();
    repost.paragraphs.truncate(seed.paragraphs.len() / 2);
    repost.published = Some(T0 + 3 * HOUR);
    let mut w = World::new();
    // Other Italian news about Musk and OpenAI (written for this test), and news of other
    // stories.
    let others = stories::italian_news_about_musk(T0);
    let mut feed = others.clone();
    feed.push(seed.clone());
    w.read("it.example", &feed, T0 + 2 * HOUR);
    w.read(
        "rilancio.example",
        std::slice::from_ref(&repost),
        T0 + 4 * HOUR,
    );
    let s = w.story_of(&seed.url);
    assert_eq!(w.story_of(&repost.url), s);
    for o in &others {
        assert_ne!(w.story_of(&o.url), s, "{} joined the seed", o.url);
    }
}

/// A floor for the default configuration (no model) on real text: the first 200 stories
/// of the dev set, every version read through the whole pipeline.
#[test]
fn the_default_matcher_keeps_its_quality_floor() {
    let mut docs =
        firsthand::dataset::load(&support::shared().join("wmt-dev/dev-small.jsonl")).unwrap();
    firsthand::dataset::keep_stories(&mut docs, 200);
    let s = firsthand::eval::run(&docs, firsthand::cluster::Config::default(), None).unwrap();
    eprintln!(
        "dev-small, 200 stories: P {:.3} R {:.3} originals {:.3}",
        s.pairwise.precision, s.pairwise.recall, s.originals_found
    );
    assert!(
        s.pairwise.precision >= 0.98,
        "precision {:.3}",
        s.pairwise.precision
    );
    assert!(s.pairwise.recall >= 0.85, "recall {:.3}", s.pairwise.recall);
    assert!(
        s.originals_found >= 0.9,
        "originals {:.3}",
        s.originals_found
    );
}

#[test]
fn the_seeds_chinese_original_its_translations_and_repost_are_one_story_named_after_ifanr() {
    stories::the_seed_case(firsthand::cluster::Config::default());
}
