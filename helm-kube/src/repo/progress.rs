//! What the repository transport reports while bytes move: a transfer started, advanced,
//! finished, failed, or was not needed.
//!
//! Why here: only the transport knows how many bytes have arrived or left and what the server
//! announced (Content-Length, a blob's size in its descriptor). The events are plain data, and
//! the observer a closure, so this crate stays free of terminal code; the command line turns
//! them into bars or lines, a binding could turn them into callbacks. Transfers run one after
//! another today, but each carries an id so an observer can keep several apart.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// Receives every [`TransferEvent`]. It may be called from a thread other than the caller's
/// (request bodies are read on the HTTP client's own thread), hence `Send + Sync`.
pub type TransferObserver = Arc<dyn Fn(&TransferEvent) + Send + Sync>;

/// What is being moved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransferKind {
    /// A chart repository's `index.yaml`.
    Index,
    /// A chart archive (an HTTP download, or an OCI chart layer).
    Chart,
    /// A `.prov` file or provenance layer.
    Provenance,
}

/// Which way the bytes go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Download,
    Upload,
}

/// One transfer: what it is, and the name a person knows it by (a repository's name for an
/// index, the archive's file name for a chart).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transfer {
    /// Unique within the process.
    pub id: u64,
    pub kind: TransferKind,
    pub direction: Direction,
    pub name: String,
}

/// An event of a transfer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TransferEvent {
    /// About to connect; the size is not known yet unless the caller knew it beforehand.
    Started {
        transfer: Transfer,
        total: Option<u64>,
    },
    /// `done` bytes so far, of `total` when the server announced it (Content-Length) or the
    /// caller knew it (an upload, a blob's descriptor).
    Advanced {
        transfer: Transfer,
        done: u64,
        total: Option<u64>,
    },
    /// Complete: `bytes` moved (and, for downloads, checked against any digest).
    Finished {
        transfer: Transfer,
        bytes: u64,
    },
    /// Nothing to move: the other side has it already (a blob the registry holds).
    Skipped {
        transfer: Transfer,
        bytes: u64,
        reason: String,
    },
    Failed {
        transfer: Transfer,
        error: String,
    },
}

impl TransferEvent {
    pub fn transfer(&self) -> &Transfer {
        match self {
            TransferEvent::Started { transfer, .. }
            | TransferEvent::Advanced { transfer, .. }
            | TransferEvent::Finished { transfer, .. }
            | TransferEvent::Skipped { transfer, .. }
            | TransferEvent::Failed { transfer, .. } => transfer,
        }
    }
}

static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// Reports the events of one transfer to an optional observer (nothing happens without one).
#[derive(Clone)]
pub(crate) struct Reporter {
    observer: Option<TransferObserver>,
    transfer: Transfer,
    total: Option<u64>,
}

impl Reporter {
    pub(crate) fn new(
        observer: Option<&TransferObserver>,
        kind: TransferKind,
        direction: Direction,
        name: &str,
    ) -> Reporter {
        Reporter {
            observer: observer.cloned(),
            transfer: Transfer {
                id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
                kind,
                direction,
                name: name.to_string(),
            },
            total: None,
        }
    }

    fn emit(&self, ev: TransferEvent) {
        if let Some(o) = &self.observer {
            o(&ev);
        }
    }

    fn active(&self) -> bool {
        self.observer.is_some()
    }

    pub(crate) fn start(&mut self, total: Option<u64>) {
        self.total = total;
        if self.active() {
            self.emit(TransferEvent::Started {
                transfer: self.transfer.clone(),
                total,
            });
        }
    }

    /// The size became known (response headers arrived).
    pub(crate) fn sized(&mut self, total: Option<u64>) {
        if total.is_some() {
            self.total = total;
        }
        self.advance(0);
    }

    pub(crate) fn advance(&self, done: u64) {
        if self.active() {
            self.emit(TransferEvent::Advanced {
                transfer: self.transfer.clone(),
                done,
                total: self.total,
            });
        }
    }

    pub(crate) fn finish(&self, bytes: u64) {
        if self.active() {
            self.emit(TransferEvent::Finished {
                transfer: self.transfer.clone(),
                bytes,
            });
        }
    }

    pub(crate) fn skip(&self, bytes: u64, reason: &str) {
        if self.active() {
            self.emit(TransferEvent::Skipped {
                transfer: self.transfer.clone(),
                bytes,
                reason: reason.into(),
            });
        }
    }

    pub(crate) fn fail(&self, error: &dyn std::fmt::Display) {
        if self.active() {
            self.emit(TransferEvent::Failed {
                transfer: self.transfer.clone(),
                error: error.to_string(),
            });
        }
    }

    /// Reports how `result` ended: finished with its byte count, or failed with its error.
    pub(crate) fn end<T, E: std::fmt::Display>(
        &self,
        result: Result<T, E>,
        bytes: impl Fn(&T) -> u64,
    ) -> Result<T, E> {
        match &result {
            Ok(v) => self.finish(bytes(v)),
            Err(e) => self.fail(e),
        }
        result
    }
}

/// A request body read from memory that reports how much of it has been handed to the
/// connection (uploads).
pub(crate) struct CountingBody {
    data: Arc<Vec<u8>>,
    pos: usize,
    reporter: Reporter,
}

impl CountingBody {
    pub(crate) fn body(data: Arc<Vec<u8>>, reporter: &Reporter) -> reqwest::blocking::Body {
        let len = data.len() as u64;
        reqwest::blocking::Body::sized(
            CountingBody {
                data,
                pos: 0,
                reporter: reporter.clone(),
            },
            len,
        )
    }
}

impl std::io::Read for CountingBody {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let rest = &self.data[self.pos..];
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.pos += n;
        if n > 0 {
            self.reporter.advance(self.pos as u64);
        }
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;
    use std::sync::Mutex;

    fn recorder() -> (TransferObserver, Arc<Mutex<Vec<TransferEvent>>>) {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        (
            Arc::new(move |ev: &TransferEvent| s.lock().unwrap().push(ev.clone())),
            seen,
        )
    }

    #[test]
    fn a_reporter_without_observer_is_silent_and_ids_differ() {
        let a = Reporter::new(None, TransferKind::Chart, Direction::Download, "a");
        let b = Reporter::new(None, TransferKind::Chart, Direction::Download, "b");
        assert_ne!(a.transfer.id, b.transfer.id);
        a.finish(3);
    }

    #[test]
    fn events_follow_the_transfer() {
        let (obs, seen) = recorder();
        let mut r = Reporter::new(Some(&obs), TransferKind::Index, Direction::Download, "s");
        r.start(None);
        r.sized(Some(10));
        r.advance(10);
        let _ = r.end::<u64, String>(Ok(10), |n| *n);
        let _ = r.end::<u64, String>(Err("boom".into()), |n| *n);
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 5);
        assert!(matches!(
            seen[0],
            TransferEvent::Started { total: None, .. }
        ));
        assert!(matches!(
            seen[1],
            TransferEvent::Advanced {
                done: 0,
                total: Some(10),
                ..
            }
        ));
        assert!(matches!(seen[3], TransferEvent::Finished { bytes: 10, .. }));
        assert!(matches!(&seen[4], TransferEvent::Failed { error, .. } if error == "boom"));
    }

    #[test]
    fn a_counting_body_reports_what_was_read() {
        let (obs, seen) = recorder();
        let r = Reporter::new(Some(&obs), TransferKind::Chart, Direction::Upload, "c");
        let mut body = CountingBody {
            data: Arc::new(vec![7u8; 10]),
            pos: 0,
            reporter: r,
        };
        let mut buf = [0u8; 4];
        let mut all = Vec::new();
        loop {
            let n = body.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            all.extend_from_slice(&buf[..n]);
        }
        assert_eq!(all, vec![7u8; 10]);
        let done: Vec<u64> = seen
            .lock()
            .unwrap()
            .iter()
            .filter_map(|e| match e {
                TransferEvent::Advanced { done, .. } => Some(*done),
                _ => None,
            })
            .collect();
        assert_eq!(done, [4, 8, 10]);
    }
}
