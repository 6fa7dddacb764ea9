//! [`Timeout`]: how long a blocking call may wait.

use std::time::{Duration, Instant};

/// How long a blocking call may wait: a [`Duration`] or [`Timeout::Never`]
/// (wait indefinitely; Python's `-1`).
///
/// Any `Duration` converts into a `Timeout`. Sub-millisecond durations
/// round up to 1 ms (librdkafka counts in milliseconds), and durations too
/// long for librdkafka's 32-bit millisecond count (about 24.8 days) mean
/// "never".
///
/// ```
/// use ferrokafka::Timeout;
/// use std::time::Duration;
/// let t: Timeout = Duration::from_millis(250).into();
/// assert_eq!(t, Timeout::After(Duration::from_millis(250)));
/// assert_eq!(Timeout::from(Duration::MAX), Timeout::Never);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Timeout {
    /// Wait at most this long.
    After(Duration),
    /// Wait as long as it takes.
    Never,
}

impl Timeout {
    /// Do not wait at all.
    pub const ZERO: Timeout = Timeout::After(Duration::ZERO);

    /// Milliseconds for librdkafka (`-1` = infinite).
    pub(crate) fn as_millis_i32(self) -> i32 {
        match self {
            Timeout::Never => -1,
            Timeout::After(d) => {
                let ms = d.as_nanos().div_ceil(1_000_000);
                if ms > i32::MAX as u128 {
                    -1
                } else {
                    ms as i32
                }
            }
        }
    }
}

impl From<Duration> for Timeout {
    fn from(d: Duration) -> Self {
        if d.as_nanos().div_ceil(1_000_000) > i32::MAX as u128 {
            Timeout::Never
        } else {
            Timeout::After(d)
        }
    }
}

impl From<Option<Duration>> for Timeout {
    fn from(d: Option<Duration>) -> Self {
        match d {
            Some(d) => d.into(),
            None => Timeout::Never,
        }
    }
}

/// A point in time a multi-step call must finish by.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Deadline {
    end: Option<Instant>,
}

impl Deadline {
    pub(crate) fn new(t: Timeout) -> Self {
        match t {
            Timeout::Never => Deadline { end: None },
            Timeout::After(d) => Deadline {
                end: Instant::now().checked_add(d),
            },
        }
    }

    pub(crate) fn after(d: Duration) -> Self {
        Deadline::new(Timeout::After(d))
    }

    /// Milliseconds left for librdkafka (-1 = infinite, 0 = expired).
    pub(crate) fn remaining_ms(&self) -> i32 {
        match self.end {
            None => -1,
            Some(end) => {
                let left = end.saturating_duration_since(Instant::now());
                Timeout::After(left).as_millis_i32().max(0)
            }
        }
    }

    /// Remaining time, capped at `cap_ms` (never -1).
    pub(crate) fn remaining_ms_capped(&self, cap_ms: i32) -> i32 {
        match self.remaining_ms() {
            -1 => cap_ms,
            n => n.min(cap_ms),
        }
    }

    /// Time left (`None` for no deadline).
    pub(crate) fn remaining(&self) -> Option<std::time::Duration> {
        self.end.map(|end| end.saturating_duration_since(Instant::now()))
    }

    pub(crate) fn expired(&self) -> bool {
        matches!(self.end, Some(end) if Instant::now() >= end)
    }
}
