//! Naming the original, on real text: credit lines in several languages beat clocks; a
//! copy whose clock is nine hours early is caught by the feed's own read history; with
//! nobody crediting anyone and no dates, the text the other languages were translated from
//! wins; a copy crediting a copy leads through the chain; the seed's translated footer is a
//! credit line and boilerplate; a near-empty item is never the original of a text.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod stories;
use stories::{Item, World, cluster, original_in};

const T0: i64 = 1_700_000_000;
const HOUR: i64 = 3600;

#[test]
fn credit_lines_in_several_languages_beat_the_clock() {
    let src = original_in("en", 2);
    let mut orig = Item::from_doc("https://outlet.example/story", src);
    // The original's clock runs late: by time alone every copy would look earlier.
    orig.published = Some(T0 + 5 * HOUR);
    let credits = [
        ("Source:", "en"),
        ("Quelle:", "de"),
        ("Fonte:", "it"),
        ("来源：", "zh"),
        ("出典：", "ja"),
        ("Источник:", "ru"),
    ];
    let mut w = World::new();
    w.read("outlet.example", std::slice::from_ref(&orig), T0 + 6 * HOUR);
    let mut copies = Vec::new();
    for (k, (word, _)) in credits.iter().enumerate() {
        let mut c = orig.clone();
        c.url = format!("https://copy{k}.example/story");
        c.paragraphs.truncate(c.paragraphs.len() - 1);
        c.published = Some(T0 + HOUR * k as i64);
        c.html_tail = format!("<p>{word} <a href=\"https://outlet.example/story\">Outlet</a></p>");
        w.read(
            &format!("copy{k}.example"),
            std::slice::from_ref(&c),
            T0 + 6 * HOUR + 60,
        );
        copies.push(c);
    }
    // The seed's translated footer works the same way.
    let mut it = orig.clone();
    it.url = "https://italian.example/storia".into();
    it.published = Some(T0);
    it.html_tail = "<p>Outlet | <a href=\"https://outlet.example/story\">Link originale</a> · Visualizza i commenti</p>".into();
    w.read("italian.example", std::slice::from_ref(&it), T0 + 7 * HOUR);
    copies.push(it);
    for c in &copies {
        let o = w.origin(&c.url);
        assert_eq!(
            o["original"]["url"].as_str(),
            Some(orig.url.as_str()),
            "{}: {o}",
            c.url
        );
        let ev = o["original_evidence"].to_string();
        assert!(ev.contains("credit"), "{ev}");
    }
}

#[test]
fn a_copy_whose_clock_is_nine_hours_early_is_caught() {
    let src = original_in("en", 3);
    let other = original_in("en", 4);
    let mut orig = Item::from_doc("https://outlet.example/news", src);
    orig.published = Some(T0 - 300);
    let mut w = World::new();
    // The copy's site was read an hour before the original appeared, with something else.
    let older = Item {
        published: Some(T0 - 2 * HOUR),
        ..Item::from_doc("https://fastcopy.example/older", other)
    };
    w.read("fastcopy.example", std::slice::from_ref(&older), T0 - HOUR);
    w.read("outlet.example", std::slice::from_ref(&orig), T0);
    // Half an hour later the copy appears, claiming a time nine hours early.
    let mut copy = orig.clone();
    copy.url = "https://fastcopy.example/news".into();
    copy.paragraphs.truncate(copy.paragraphs.len() - 2);
    copy.published = Some(T0 + 30 * 60 - 9 * HOUR);
    w.read("fastcopy.example", &[copy.clone(), older], T0 + 30 * 60);
    assert_eq!(w.story_of(&copy.url), w.story_of(&orig.url));
    let o = w.origin(&copy.url);
    assert_eq!(
        o["original"]["url"].as_str(),
        Some(orig.url.as_str()),
        "{o}"
    );
    assert!(
        o["original_evidence"]
            .to_string()
            .contains("clock is wrong"),
        "{o}"
    );
    assert_eq!(o["relation"], "syndicated");
}

#[test]
fn nobody_credits_anyone_and_nobody_gives_a_date() {
    // A gold story: an English news source with figures in it, with human and machine
    // translations into two languages; no dates, no credits, all seen at once.
    let src = stories::original_with_figures("en", 7);
    let docs = cluster(&src.cluster);
    assert!(docs.len() >= 7);
    let mut w = World::new();
    let mut urls = Vec::new();
    for (k, d) in docs.iter().enumerate() {
        let site = format!("s{k}.example");
        let it = Item::from_doc(&format!("https://{site}/x"), d);
        w.read(&site, std::slice::from_ref(&it), T0);
        urls.push((it.url, d.is_original));
    }
    let orig = &urls.iter().find(|u| u.1).unwrap().0;
    let story = w.story_of(orig);
    let members: Vec<&String> = urls
        .iter()
        .map(|u| &u.0)
        .filter(|u| w.story_of(u) == story)
        .collect();
    assert!(
        members.len() >= 5,
        "{} of {} joined",
        members.len(),
        urls.len()
    );
    for u in members {
        let o = w.origin(u);
        assert_eq!(o["original"]["url"].as_str(), Some(orig.as_str()), "{o}");
        let ev = o["original_evidence"].to_string();
        assert!(
            ev.contains("no member gives a usable publication time"),
            "{ev}"
        );
    }
}

#[test]
fn with_dates_and_no_credit_the_earliest_wins_and_says_so() {
    let src = original_in("en", 5);
    let mut a = Item::from_doc("https://first.example/a", src);
    a.published = Some(T0);
    let mut b = a.clone();
    b.url = "https://second.example/a".into();
    b.paragraphs.pop();
    b.published = Some(T0 + 2 * HOUR);
    let mut w = World::new();
    w.read("second.example", std::slice::from_ref(&b), T0 + 3 * HOUR);
    w.read("first.example", std::slice::from_ref(&a), T0 + 3 * HOUR);
    let o = w.origin(&b.url);
    assert_eq!(o["original"]["url"].as_str(), Some(a.url.as_str()));
    assert!(
        o["original_evidence"][0]
            .as_str()
            .unwrap()
            .contains("earliest publication time"),
        "{o}"
    );
}

#[test]
fn a_near_empty_item_joins_by_its_title_but_is_never_the_original() {
    // An aggregator's item of a Japanese title, "***" and an English subscribe line,
    // stamped two hours before the outlet's article: it has the article's title, so its
    // story and its language; with no text of its own, its clock does not make it the
    // original.
    let src = original_in("ja", 3);
    let mut a = Item::from_doc("https://outlet.example/a", src);
    a.published = Some(T0 + 2 * HOUR);
    let mut stub = a.clone();
    stub.url = "https://agg.example/a".into();
    stub.paragraphs = vec![
        "***".into(),
        "Subscribe to the agg channel so you miss nothing.".into(),
    ];
    stub.published = Some(T0);
    let mut w = World::new();
    w.read("agg.example", std::slice::from_ref(&stub), T0 + 3 * HOUR);
    w.read("outlet.example", std::slice::from_ref(&a), T0 + 3 * HOUR);
    assert_eq!(w.story_of(&stub.url), w.story_of(&a.url));
    let o = w.origin(&stub.url);
    assert_eq!(o["original"]["url"].as_str(), Some(a.url.as_str()), "{o}");
    assert_ne!(w.relation(&stub.url), "translation", "{o}");
    assert!(
        o["original_evidence"]
            .to_string()
            .contains("no text of its own"),
        "{o}"
    );
}

#[test]
fn a_copy_crediting_a_copy_leads_to_the_original() {
    let src = original_in("en", 6);
    let mut a = Item::from_doc("https://origin.example/a", src);
    a.published = Some(T0 + 3 * HOUR);
    let mut b = a.clone();
    b.url = "https://middle.example/a".into();
    b.published = Some(T0 + HOUR);
    b.paragraphs.pop();
    b.html_tail = "<p>Via <a href=\"https://origin.example/a\">Origin</a></p>".into();
    let mut c = b.clone();
    c.url = "https://last.example/a".into();
    c.published = Some(T0);
    c.paragraphs.pop();
    c.html_tail = "<p>Source: <a href=\"https://middle.example/a\">Middle</a></p>".into();
    let mut w = World::new();
    w.read("last.example", std::slice::from_ref(&c), T0 + 4 * HOUR);
    w.read("middle.example", std::slice::from_ref(&b), T0 + 4 * HOUR);
    w.read("origin.example", std::slice::from_ref(&a), T0 + 4 * HOUR);
    let o = w.origin(&c.url);
    assert_eq!(o["original"]["url"].as_str(), Some(a.url.as_str()), "{o}");
    let chain: Vec<&str> = o["chain"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert_eq!(chain, vec![c.url.as_str(), b.url.as_str(), a.url.as_str()]);
    let ev = o["original_evidence"].to_string();
    assert!(
        ev.contains("last.example") && ev.contains("middle.example → origin.example"),
        "{ev}"
    );
}

#[test]
fn the_seeds_footer_and_promo_are_credit_and_boilerplate() {
    let seed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/seed/ifanr-musk-gpu.it.txt"
    ))
    .unwrap();
    let lines: Vec<&str> = seed.lines().filter(|l| !l.trim().is_empty()).collect();
    let footer = lines.iter().find(|l| l.contains("Link originale")).unwrap();
    let promo = lines.iter().find(|l| l.contains("WeChat")).unwrap();
    assert!(firsthand::normalize::credit::is_credit_line(footer));
    assert!(firsthand::fingerprint::boilerplate::is_generic(footer));
    assert!(firsthand::fingerprint::boilerplate::is_generic(promo));
    // A repost of the seed that drops the footer and promo is the same text.
    let title = lines[0].to_string();
    let body: Vec<String> = lines[1..].iter().map(|s| (*s).to_string()).collect();
    let trimmed: Vec<String> = body
        .iter()
        .filter(|l| !l.contains("WeChat") && !l.contains("Link originale"))
        .cloned()
        .collect();
    let orig = Item {
        url: "https://it.example/musk-gpu".into(),
        title: title.clone(),
        paragraphs: body,
        html_tail: String::new(),
        published: Some(T0),
    };
    let copy = Item {
        url: "https://repost.example/musk".into(),
        title,
        paragraphs: trimmed,
        html_tail: String::new(),
        published: Some(T0 + HOUR),
    };
    let mut w = World::new();
    w.read("it.example", std::slice::from_ref(&orig), T0 + 2 * HOUR);
    w.read("repost.example", std::slice::from_ref(&copy), T0 + 2 * HOUR);
    assert_eq!(w.story_of(&copy.url), w.story_of(&orig.url));
    // Dropping lines is an edit.
    assert_eq!(w.relation(&copy.url), "syndicated");
}
