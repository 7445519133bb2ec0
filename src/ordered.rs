//! An ordered parallel map: workers on their own threads, each with state of its own,
//! take the next item as they finish one; the calling thread gets the results in the
//! items' order, whichever worker was faster. `ingest` reads and prepares files this way
//! and `cluster`'s read-ahead decides the next chunks' pairs.

use std::collections::BTreeMap;
use std::ops::ControlFlow;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};

/// An item whose worker stopped before delivering it (a bug: a panic in the worker, or
/// every worker stopped by [`ControlFlow::Break`] before it was taken). Its index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Lost(pub usize);

/// Maps `items` on one thread per state in `states`, `work` taking the next item not
/// taken yet; `consume` runs on this thread and reads the results in order from the
/// [`InOrder`] it is given. A worker whose `work` returns [`ControlFlow::Break`] delivers
/// that result and stops. At most `queue` results wait for `consume` at a time; when
/// `consume` returns, the workers stop at their next result.
pub fn map<S, I, T, R>(
    states: Vec<S>,
    items: &[I],
    queue: usize,
    work: impl Fn(&mut S, &I) -> ControlFlow<T, T> + Sync,
    consume: impl FnOnce(&mut InOrder<T>) -> R,
) -> R
where
    S: Send,
    I: Sync,
    T: Send,
{
    let next = AtomicUsize::new(0);
    let (tx, rx) = sync_channel::<(usize, T)>(queue.max(1));
    std::thread::scope(|scope| {
        for mut state in states {
            let (tx, next, work) = (tx.clone(), &next, &work);
            scope.spawn(move || run_worker(&mut state, items, next, &tx, work));
        }
        drop(tx);
        // Dropped before the scope joins the workers, so that a worker blocked on a full
        // queue sees its send fail instead of waiting for ever.
        let mut results = InOrder {
            rx,
            ready: BTreeMap::new(),
            next: 0,
            total: items.len(),
            open: true,
        };
        consume(&mut results)
    })
}

/// A worker: takes the next item not taken yet until none is left, `work` breaks, or the
/// receiving side is gone.
fn run_worker<S, I, T>(
    state: &mut S,
    items: &[I],
    next: &AtomicUsize,
    tx: &SyncSender<(usize, T)>,
    work: &impl Fn(&mut S, &I) -> ControlFlow<T, T>,
) {
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(item) = items.get(i) else { break };
        let (result, go_on) = match work(state, item) {
            ControlFlow::Continue(t) => (t, true),
            ControlFlow::Break(t) => (t, false),
        };
        if tx.send((i, result)).is_err() || !go_on {
            break;
        }
    }
}

/// The results of [`map`], handed out in the items' order.
pub struct InOrder<T> {
    rx: Receiver<(usize, T)>,
    /// Results that came before their turn.
    ready: BTreeMap<usize, T>,
    /// Index of the next result to hand out.
    next: usize,
    total: usize,
    /// Whether some worker may still deliver.
    open: bool,
}

impl<T> Iterator for InOrder<T> {
    type Item = Result<T, Lost>;

    /// The next result, waiting for it; `None` once every item's was handed out.
    fn next(&mut self) -> Option<Result<T, Lost>> {
        while self.open && !self.ready.contains_key(&self.next) && self.next < self.total {
            match self.rx.recv() {
                Ok((i, t)) => {
                    self.ready.insert(i, t);
                }
                Err(_) => self.open = false,
            }
        }
        self.take()
    }
}

impl<T> InOrder<T> {
    /// The next result when it has arrived already (never waits).
    pub fn next_ready(&mut self) -> Option<Result<T, Lost>> {
        self.drain();
        if self.open && !self.ready.contains_key(&self.next) {
            return None;
        }
        self.take()
    }

    /// Whether the next result is still to come (never waits): `false` when it has
    /// arrived, or when all were handed out.
    pub fn waiting(&mut self) -> bool {
        self.drain();
        self.open && self.next < self.total && !self.ready.contains_key(&self.next)
    }

    /// Takes in every result that has arrived.
    fn drain(&mut self) {
        while self.open {
            match self.rx.try_recv() {
                Ok((i, t)) => {
                    self.ready.insert(i, t);
                }
                Err(std::sync::mpsc::TryRecvError::Empty) => break,
                Err(std::sync::mpsc::TryRecvError::Disconnected) => self.open = false,
            }
        }
    }

    /// Hands out the next result if it is here; a missing one once no worker is left.
    fn take(&mut self) -> Option<Result<T, Lost>> {
        if self.next >= self.total {
            return None;
        }
        let i = self.next;
        let out = match self.ready.remove(&i) {
            Some(t) => Ok(t),
            None if !self.open => Err(Lost(i)),
            None => return None,
        };
        self.next += 1;
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_the_items_order_whichever_worker_is_faster() {
        let items: Vec<u64> = (0..200).collect();
        let got = map(
            vec![(); 4],
            &items,
            3,
            |(), &i| {
                // Early items take longest, so later ones arrive first.
                std::thread::sleep(std::time::Duration::from_micros(200 - i));
                ControlFlow::Continue(i * 2)
            },
            |r| r.collect::<Vec<_>>(),
        );
        let want: Vec<Result<u64, Lost>> = items.iter().map(|i| Ok(i * 2)).collect();
        assert_eq!(got, want);
    }

    #[test]
    fn each_worker_keeps_its_own_state() {
        let items: Vec<u32> = (0..100).collect();
        // Each worker counts the items it took; every count is seen once per worker.
        let got = map(
            (0..3).map(|w| (w, 0_u32)).collect(),
            &items,
            8,
            |(w, seen), _| {
                *seen += 1;
                ControlFlow::Continue((*w, *seen))
            },
            |r| r.collect::<Result<Vec<_>, _>>(),
        );
        let got = got.unwrap_or_default();
        assert_eq!(got.len(), 100);
        for w in 0..3 {
            let counts: Vec<u32> = got.iter().filter(|(x, _)| *x == w).map(|p| p.1).collect();
            assert_eq!(
                counts,
                (1..=u32::try_from(counts.len()).unwrap_or(0)).collect::<Vec<_>>()
            );
        }
    }

    #[test]
    fn a_worker_that_breaks_stops_and_the_items_nobody_took_are_lost() {
        let items: Vec<u32> = (0..10).collect();
        let got = map(
            vec![()],
            &items,
            16,
            |(), &i| {
                if i == 3 {
                    ControlFlow::Break(i)
                } else {
                    ControlFlow::Continue(i)
                }
            },
            |r| r.collect::<Vec<_>>(),
        );
        assert_eq!(got[..4], [Ok(0), Ok(1), Ok(2), Ok(3)]);
        assert_eq!(got[4..], (4..10).map(|i| Err(Lost(i))).collect::<Vec<_>>());
    }

    #[test]
    fn the_consumer_may_stop_early_without_blocking_the_workers() {
        let items: Vec<u32> = (0..1000).collect();
        let first = map(
            vec![(), ()],
            &items,
            1,
            |(), &i| ControlFlow::Continue(i),
            Iterator::next,
        );
        assert_eq!(first, Some(Ok(0)));
    }

    #[test]
    fn next_ready_never_waits_and_waiting_says_whether_the_next_is_due() {
        let items: Vec<u32> = vec![1];
        let (tx_go, rx_go) = std::sync::mpsc::channel::<()>();
        let rx_go = std::sync::Mutex::new(rx_go);
        map(
            vec![()],
            &items,
            4,
            |(), &i| {
                let _ = rx_go.lock().map(|rx| rx.recv());
                ControlFlow::Continue(i)
            },
            |r| {
                assert!(r.waiting());
                assert_eq!(r.next_ready(), None);
                let _ = tx_go.send(());
                assert_eq!(r.next(), Some(Ok(1)));
                assert!(!r.waiting());
                assert_eq!(r.next_ready(), None);
                assert_eq!(r.next(), None);
            },
        );
    }
}
