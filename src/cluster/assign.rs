//! Story assignment: where a new article goes, with bounded work whatever the size of
//! the stories it touches.
//!
//! The article's matches (from candidate retrieval) name the stories it touches. Each
//! touched story is judged on a bounded sample of its members (those in the article's
//! language first, then a fixed pseudo-random choice by key) together with the members the
//! article matched: the article joins the story where the share of matching members is
//! highest, if it reaches [`JOIN_SHARE`] of all compared members or of those in its own
//! language (matched by more than weak evidence: a second translation into a language
//! matches that language's version of a story, not the others). Two stories the article
//! joins both are merged only when their samples match each other (at least
//! [`MERGE_SHARE`] of the cross pairs):
//! one article that resembles two stories does not glue them (no chaining). Stories are
//! never split by placement, so a large story does not fall apart as it grows.

use super::Matcher;
use super::score::{Kind, Match};
use crate::Result;
use crate::domain::{ArticleId, StoryId};
use crate::fingerprint;
use crate::store::db::Tx;
use crate::store::{Store, articles::Sig};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// Members of a story an article is compared with, besides those it matched.
pub const SAMPLE: usize = 12;
/// Share of the compared members of a story an article must match to join it.
pub const JOIN_SHARE: f64 = 0.3;
/// Share of the cross pairs of two stories' samples that must match to merge them.
pub const MERGE_SHARE: f64 = 0.3;

/// Fewest matched members, in at least two languages, that let an article join a story
/// whatever share of its sample it matches: a large story in many languages has
/// versions that match only some of the others.
pub const JOIN_SPREAD: usize = 3;

/// Score below which a match across languages is weak evidence (an anchor probability
/// under 0.9: `0.3 + 0.6 p`). Weak cross-language matches are what different reports of
/// one event share (three common numbers, a date); on the pairs of dev-small that share
/// anchors, 8% of the true cross-language matches and 79% of the false ones are weak.
pub const WEAK_CROSS_SCORE: f64 = 0.84;

/// How well an article fits a story.
#[derive(Debug, Clone, Copy)]
struct Fit {
    story: StoryId,
    matched: usize,
    compared: usize,
    /// Languages of the matched members.
    langs: usize,
    /// Matched members whose match is not weak (see [`weak`]).
    strong: usize,
    /// Compared members in the article's language, and those of them matched strongly.
    own_compared: usize,
    own_strong: usize,
    /// Whether the story holds more than one language.
    multilingual: bool,
}

impl Fit {
    #[allow(clippy::cast_precision_loss)]
    fn share(&self) -> f64 {
        self.matched as f64 / self.compared.max(1) as f64
    }

    #[allow(clippy::cast_precision_loss)]
    fn joins(&self) -> bool {
        let own_share = self.own_strong as f64 / self.own_compared.max(1) as f64;
        self.matched > 0
            && (self.share() >= JOIN_SHARE
                || (self.matched >= JOIN_SPREAD && self.langs >= 2)
                || (self.own_strong > 0 && own_share >= JOIN_SHARE))
    }

    /// Only weak matches link the article to this story of one language: alone they do
    /// not join two groups (nor make a story of two languages). A story that is already
    /// multilingual has other evidence for its text: there they count.
    fn weak_bridge(&self) -> bool {
        self.strong == 0 && !self.multilingual
    }
}

/// Jaccard below which a match by anchors in one language is weak: the two texts share
/// almost no wording. On the same-language pairs of dev-small that match by anchors, 18
/// of the 25 false ones and 56 of the 1,943 true ones (3%) are below it.
pub const WEAK_SAME_LANG_JACCARD: f64 = 0.05;

/// Whether a match between articles in `a_lang` and `b_lang` is weak evidence: by
/// anchors below [`WEAK_CROSS_SCORE`] across languages (unless many shared anchors
/// corroborate it: [`Match::corroborated`]), or by anchors with almost no
/// shared wording in one language (two reports of one event name the same people).
fn weak(a_lang: &str, b_lang: &str, m: &Match) -> bool {
    match m.kind {
        Kind::Anchors | Kind::Names if a_lang == b_lang => m.jaccard < WEAK_SAME_LANG_JACCARD,
        Kind::Anchors => m.score < WEAK_CROSS_SCORE && !m.corroborated,
        _ => false,
    }
}

impl Matcher {
    /// Places a stored, indexed article into a story; returns the stories that changed.
    /// Their originals and relations are written by [`Matcher::finish`], which must run
    /// before the transaction commits.
    ///
    /// # Errors
    /// Database failures.
    pub fn place(&mut self, tx: &Tx<'_>, id: ArticleId, now: i64) -> Result<Vec<StoryId>> {
        let Some(matched) = self.matches(tx, id, now)? else {
            return Ok(Vec::new());
        };
        self.load(tx, &[id])?;
        let Some(me) = self.sigs.get(&id).map(Arc::clone) else {
            return Ok(Vec::new());
        };
        let own = self.story_of(tx, id)?;
        let mut touched: BTreeMap<StoryId, Vec<ArticleId>> = BTreeMap::new();
        let mut unplaced = false;
        for m in &matched {
            match self.story_of(tx, *m)? {
                Some(s) => touched.entry(s).or_default().push(*m),
                None => unplaced = true,
            }
        }
        if unplaced {
            self.second_look.push(id);
        }
        if let Some(s) = own {
            touched.entry(s).or_default();
        }
        let mut fits = Vec::with_capacity(touched.len());
        for (story, hits) in &touched {
            fits.push(self.fit(tx, &me, *story, hits)?);
        }
        // Best first: share, then matches, then the older story.
        fits.sort_by(|a, b| {
            b.share()
                .total_cmp(&a.share())
                .then(b.matched.cmp(&a.matched))
                .then(a.story.cmp(&b.story))
        });
        let joining: Vec<Fit> = fits.iter().copied().filter(Fit::joins).collect();
        let mut changed = Vec::new();
        let home = joining.iter().find(|f| !f.weak_bridge());
        let story = match (home, own) {
            (Some(best), _) => best.story,
            // Alone in its story already (recluster): it stays there.
            (None, Some(s)) if Store::story_size_upto(tx, s, 2)? <= 1 => s,
            (None, _) => Store::create_story(tx, now)?,
        };
        let mut retired = None;
        if own != Some(story) {
            Store::move_member(tx, id, story)?;
            self.stories.insert(id, Some(story));
            if let Some(low) = self.lowest.get_mut(&story) {
                low.add(&me.lang, me.ukey, id, !me.fp.thin());
            }
            if let Some(old) = own {
                // Its lowest keys may have lost one: read again when next needed.
                self.lowest.remove(&old);
            }
            if let Some(old) = own {
                if self.retire_if_empty(tx, old, story, now)? {
                    retired = Some(old);
                }
                changed.push(old);
            }
        }
        // (The article is counted in the story's languages by now, when they are held.)
        let multilingual = self.multilingual(story);
        for other in &joining {
            if other.story == story || Some(other.story) == retired {
                continue;
            }
            if other.weak_bridge() && !multilingual {
                continue;
            }
            if self.stories_agree(tx, story, other.story, &me.lang)? {
                self.merge(tx, other.story, story, now)?;
            }
        }
        self.undecided.insert(story);
        self.fresh.insert(id);
        changed.push(story);
        Ok(changed)
    }

    /// Places once more the articles placed since the last call that matched articles not
    /// placed yet and were left alone in their story: placed before their copies, they
    /// could not join them; now they can. Run when the pending articles are placed (then
    /// [`Matcher::finish`]). Each article is placed again at most once per pass, so the
    /// work per article stays bounded, and one that matched nothing is not looked at
    /// again. Returns how many were placed again.
    ///
    /// # Errors
    /// Database failures.
    pub fn second_look(&mut self, tx: &Tx<'_>, now: i64) -> Result<usize> {
        let mut again = 0;
        for id in std::mem::take(&mut self.second_look) {
            let Some(story) = self.story_of(tx, id)? else {
                continue;
            };
            if Store::story_size_upto(tx, story, 2)? == 1 {
                self.place(tx, id, now)?;
                again += 1;
            }
        }
        self.second_look.clear();
        Ok(again)
    }

    /// How well `me` fits `story`: its matches there, and its decisions against a sample.
    fn fit(
        &mut self,
        tx: &Tx<'_>,
        me: &Arc<Sig>,
        story: StoryId,
        hits: &[ArticleId],
    ) -> Result<Fit> {
        let mut compared: Vec<ArticleId> = self.sample(tx, story, &me.lang)?;
        compared.extend_from_slice(hits);
        compared.retain(|a| *a != me.id);
        compared.sort_unstable();
        compared.dedup();
        let sigs = self.weighed_sigs(tx, &compared)?;
        let mut matched = 0;
        let mut strong = 0;
        let (mut own_compared, mut own_strong) = (0, 0);
        let mut langs: Vec<&str> = Vec::new();
        for s in &sigs {
            let own = s.lang == me.lang;
            own_compared += usize::from(own);
            if let Some(m) = self.decide_pair(me, s) {
                matched += 1;
                if !weak(&me.lang, &s.lang, &m) {
                    strong += 1;
                    own_strong += usize::from(own);
                }
                if !langs.contains(&s.lang.as_str()) {
                    langs.push(&s.lang);
                }
            }
        }
        let multilingual = self.multilingual(story);
        Ok(Fit {
            story,
            matched,
            compared: sigs.len(),
            langs: langs.len(),
            strong,
            own_compared,
            own_strong,
            multilingual,
        })
    }

    /// Whether `story` holds texts in more than one language, as far as its sample lists
    /// are held (false when they are not).
    fn multilingual(&self, story: StoryId) -> bool {
        self.lowest.get(&story).is_some_and(Lowest::multilingual)
    }

    /// A bounded, fixed sample of a story's members: those in `lang` first, then the
    /// others, each in order of their order-independent key. Drawn from the story's
    /// lowest keys per language, read once per run and then kept up to date.
    fn sample(&mut self, tx: &Tx<'_>, story: StoryId, lang: &str) -> Result<Vec<ArticleId>> {
        if !self.lowest.contains_key(&story) {
            if self.lowest.len() > 100_000 {
                // Bounded memory: the lists are only a cache of the store's.
                self.lowest.clear();
            }
            let mut low = Lowest::default();
            for (a, ukey, l, shingles) in Store::member_keys(tx, story)? {
                low.add(&l, ukey, a, !fingerprint::thin_text(shingles));
            }
            self.lowest.insert(story, low);
        }
        Ok(self
            .lowest
            .get(&story)
            .map(|l| l.sample(lang))
            .unwrap_or_default())
    }

    /// Whether two stories are one: enough of their samples' cross pairs match.
    fn stories_agree(&mut self, tx: &Tx<'_>, a: StoryId, b: StoryId, lang: &str) -> Result<bool> {
        let xa = self.sample(tx, a, lang)?;
        let xb = self.sample(tx, b, lang)?;
        let sa = self.weighed_sigs(tx, &xa)?;
        let sb = self.weighed_sigs(tx, &xb)?;
        let mut links = 0usize;
        for x in &sa {
            for y in &sb {
                if self.decide_pair(x, y).is_some() {
                    links += 1;
                }
            }
        }
        #[allow(clippy::cast_precision_loss)]
        let share = links as f64 / (sa.len() * sb.len()).max(1) as f64;
        Ok(links > 0 && share >= MERGE_SHARE)
    }

    /// Merges `from` into `into`: every member moves, and `from` resolves to `into`.
    fn merge(&mut self, tx: &Tx<'_>, from: StoryId, into: StoryId, now: i64) -> Result<()> {
        // `from`'s contenders stay contenders (the flag moves with them); a story without
        // any (decided on all its members) brings all of them into `into`'s next decision.
        let flagged = !Store::contenders(tx, from)?.is_empty();
        for a in Store::story_members(tx, from)? {
            Store::move_member(tx, a, into)?;
            self.stories.insert(a, Some(into));
            if !flagged {
                self.arrived.insert(a);
            }
        }
        Store::merge_story(tx, from, into, "an article matched both stories", now)?;
        match (self.lowest.remove(&from), self.lowest.get_mut(&into)) {
            (Some(gone), Some(low)) => low.absorb(&gone),
            _ => {
                self.lowest.remove(&into);
            }
        }
        self.undecided.remove(&from);
        self.merged.remove(&from);
        self.merged.insert(into);
        Ok(())
    }

    /// Marks `story` merged into `into` when it has no member left (its id keeps
    /// resolving to where its last article went); says whether it did.
    fn retire_if_empty(
        &mut self,
        tx: &Tx<'_>,
        story: StoryId,
        into: StoryId,
        now: i64,
    ) -> Result<bool> {
        if Store::story_size_upto(tx, story, 1)? == 0 {
            Store::merge_story(tx, story, into, "its last article moved", now)?;
            self.undecided.remove(&story);
            Ok(true)
        } else {
            self.undecided.insert(story);
            Ok(false)
        }
    }
}

/// A story's members with the lowest keys in each language: enough to draw its sample.
#[derive(Debug, Default, Clone)]
pub(super) struct Lowest {
    /// Per language, the members with the lowest keys (at most [`SAMPLE`]).
    lists: BTreeMap<String, Vec<(i64, ArticleId)>>,
    /// The languages of members with a text of their own.
    texts: BTreeSet<String>,
}

impl Lowest {
    /// Counts a member in; `text`: it has a text of its own (not a near-empty item, whose
    /// language was read from a few words of title).
    fn add(&mut self, lang: &str, ukey: i64, id: ArticleId, text: bool) {
        if text && !self.texts.contains(lang) {
            self.texts.insert(lang.to_string());
        }
        if !self.lists.contains_key(lang) {
            self.lists.insert(lang.to_string(), Vec::new());
        }
        let Some(list) = self.lists.get_mut(lang) else {
            return;
        };
        if let Err(at) = list.binary_search(&(ukey, id))
            && at < SAMPLE
        {
            list.insert(at, (ukey, id));
            list.truncate(SAMPLE);
        }
    }

    /// Whether the story holds texts in more than one language.
    fn multilingual(&self) -> bool {
        self.texts.len() >= 2
    }

    /// Counts in every member of another story (merged into this one).
    fn absorb(&mut self, other: &Self) {
        for (lang, list) in &other.lists {
            for &(ukey, id) in list {
                self.add(lang, ukey, id, false);
            }
        }
        self.texts.extend(other.texts.iter().cloned());
    }

    /// The sample for an article in `lang`: members in `lang` first, then the others, by
    /// key, at most [`SAMPLE`].
    fn sample(&self, lang: &str) -> Vec<ArticleId> {
        let mut out: Vec<ArticleId> = self
            .lists
            .get(lang)
            .map(|l| l.iter().map(|e| e.1).collect())
            .unwrap_or_default();
        if out.len() < SAMPLE {
            let mut others: Vec<(i64, ArticleId)> = self
                .lists
                .iter()
                .filter(|(l, _)| l.as_str() != lang)
                .flat_map(|(_, list)| list.iter().copied())
                .collect();
            others.sort_unstable();
            let room = SAMPLE - out.len();
            out.extend(others.into_iter().take(room).map(|e| e.1));
        }
        out
    }
}
