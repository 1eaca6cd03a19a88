//! Gathering the codes of one multi-code export: people scan them one by
//! one, in any order, sometimes twice, and need to be told which are still
//! missing before the accounts are added.

use std::collections::BTreeMap;

use super::{MigrationBatch, SkippedAccount};
use crate::enrollment::Enrollment;

/// Gathers the codes of one export series as they are scanned, in any
/// order, and says which are still missing.
#[derive(Debug, Clone, Default)]
pub struct SeriesCollector {
    /// The series being collected, fixed by the first code added.
    series: Option<(i32, u32)>,
    /// The codes received, by index.
    received: BTreeMap<u32, MigrationBatch>,
}

/// What adding a code to a [`SeriesCollector`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SeriesProgress {
    /// A code not seen before was added.
    Added,
    /// This code was already added (scanning the same screen twice).
    AlreadyHad,
}

/// Why a code does not belong with the ones collected so far.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SeriesError {
    /// The code comes from a different export (another batch id, or a
    /// series of another length).
    #[error(
        "this code belongs to a different export (a series of {other_size}) than the \
         codes scanned so far (a series of {size}); finish or restart the scan"
    )]
    DifferentSeries {
        /// Codes in the series being collected.
        size: u32,
        /// Codes in the series the new code belongs to.
        other_size: u32,
    },
}

impl SeriesCollector {
    /// An empty collector, ready for any series.
    pub fn new() -> Self {
        SeriesCollector::default()
    }

    /// Adds one scanned export code.
    pub fn add(&mut self, batch: MigrationBatch) -> Result<SeriesProgress, SeriesError> {
        let position = batch.series;
        match self.series {
            None => self.series = Some((position.batch_id, position.size)),
            Some((batch_id, size)) if batch_id != position.batch_id || size != position.size => {
                return Err(SeriesError::DifferentSeries {
                    size,
                    other_size: position.size,
                })
            }
            Some(_) => {}
        }
        if self.received.contains_key(&position.index) {
            return Ok(SeriesProgress::AlreadyHad);
        }
        self.received.insert(position.index, batch);
        Ok(SeriesProgress::Added)
    }

    /// How many codes the series has (0 before the first is added).
    pub fn size(&self) -> u32 {
        self.series.map_or(0, |(_, size)| size)
    }

    /// The indexes (from 0) of the codes not scanned yet. Shown to people,
    /// add one: "code 2 of 3".
    pub fn missing(&self) -> Vec<u32> {
        self.missing_iter().collect()
    }

    /// [`missing`](Self::missing) one at a time, for callers that show only
    /// the first few (a file can hold a million series of a thousand codes).
    pub fn missing_iter(&self) -> impl Iterator<Item = u32> + '_ {
        (0..self.size()).filter(|index| !self.received.contains_key(index))
    }

    /// How many codes are not scanned yet.
    pub fn missing_count(&self) -> u32 {
        // Only indexes below the size count: the parser refuses others, but
        // a batch can be built by hand.
        let size = self.size();
        size - self.received.range(..size).count() as u32
    }

    /// Whether every code of the series is in (false before the first).
    pub fn is_complete(&self) -> bool {
        self.series.is_some() && self.missing_count() == 0
    }

    /// The accounts received so far, in series order.
    pub fn accounts(&self) -> Vec<Enrollment> {
        self.received
            .values()
            .flat_map(|batch| batch.accounts.iter().cloned())
            .collect()
    }

    /// The unusable accounts received so far, in series order.
    pub fn skipped(&self) -> Vec<SkippedAccount> {
        self.received
            .values()
            .flat_map(|batch| batch.skipped.iter().cloned())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::migration::SeriesPosition;
    use crate::params::OtpParams;
    use crate::secret::Secret;

    fn code(index: u32, batch_id: i32) -> MigrationBatch {
        MigrationBatch {
            accounts: vec![Enrollment {
                issuer: "S".into(),
                name: format!("user{index}"),
                secret: Secret::from_bytes(vec![index as u8 + 1; 10]).unwrap(),
                params: OtpParams::totp(),
            }],
            skipped: Vec::new(),
            series: SeriesPosition {
                batch_id,
                index,
                size: 3,
            },
            version: 1,
        }
    }

    #[test]
    fn a_series_reports_what_is_missing() {
        let mut collector = SeriesCollector::new();
        assert!(!collector.is_complete());
        assert_eq!(collector.missing(), Vec::<u32>::new());
        assert_eq!(collector.missing_count(), 0);
        assert_eq!(collector.add(code(2, 77)), Ok(SeriesProgress::Added));
        assert_eq!(collector.size(), 3);
        assert_eq!(collector.missing(), [0, 1]);
        assert_eq!(collector.missing_count(), 2);
        assert_eq!(collector.add(code(2, 77)), Ok(SeriesProgress::AlreadyHad));
        assert_eq!(
            collector.add(code(0, 78)),
            Err(SeriesError::DifferentSeries {
                size: 3,
                other_size: 3
            })
        );
        assert_eq!(collector.add(code(0, 77)), Ok(SeriesProgress::Added));
        assert_eq!(collector.missing(), [1]);
        assert!(!collector.is_complete());
        assert_eq!(collector.add(code(1, 77)), Ok(SeriesProgress::Added));
        assert!(collector.is_complete());
        assert_eq!(collector.missing_count(), 0);
        let names: Vec<String> = collector
            .accounts()
            .into_iter()
            .map(|account| account.name)
            .collect();
        assert_eq!(names, ["user0", "user1", "user2"]);
        assert!(collector.skipped().is_empty());
    }

    #[test]
    fn a_hand_built_code_past_the_end_is_not_counted() {
        let mut collector = SeriesCollector::new();
        collector.add(code(0, 1)).unwrap();
        collector.add(code(7, 1)).unwrap();
        assert_eq!(collector.missing(), [1, 2]);
        assert_eq!(collector.missing_count(), 2);
        assert!(!collector.is_complete());
    }
}
