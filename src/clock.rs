//! The time of day the bonus stages show: `HH:MM` on each relayed message (bonus 1) and an
//! RFC 3339 stamp on each log line (bonus 2).
//!
//! Whoever needs the time asks a [`Clock`] instead of the system, so that a test can fix
//! the time ([`FixedClock`]) and assert exact output; the programs use [`SystemClock`],
//! local time. The two renderings, [`hh_mm`] and [`rfc3339`], are plain functions of a
//! [`Zoned`] so the same instant always reads the same wherever it is shown.
//!
//! Nothing here panics: a system time zone that cannot be determined means UTC, and the
//! formatting is written out by hand rather than through a format string that could fail.

use jiff::fmt::strtime;
use jiff::tz::{Offset, TimeZone};
use jiff::{Timestamp, Zoned};
use std::time::SystemTime;

/// Where the current time comes from: the system for the programs, a fixed instant for
/// the tests. `Send + Sync + 'static` so that one clock can be shared (`Arc<dyn Clock>`)
/// by every task of the server and by the logging threads.
pub trait Clock: Send + Sync + 'static {
    /// The current instant, in the time zone it is to be shown in.
    fn now(&self) -> Zoned;
}

/// Local time: the system clock in the system time zone (the `TZ` variable, else
/// `/etc/localtime`), or in UTC when that zone cannot be determined, so that a container
/// without time zone data still runs.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Zoned {
        // jiff caches the system zone, so this costs a clone per call, not a file read.
        // `TimeZone::system()` would fall back to `Etc/Unknown`; UTC says what it is.
        let zone = TimeZone::try_system().unwrap_or(TimeZone::UTC);
        // A system clock beyond the years ±9999 jiff represents is a broken machine, not
        // a reason to crash a chat server: it reads as the epoch.
        let instant = Timestamp::try_from(SystemTime::now()).unwrap_or(Timestamp::UNIX_EPOCH);
        instant.to_zoned(zone)
    }
}

/// A clock stopped at one instant, for tests: every output that shows the time is then
/// exact and can be compared with a string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixedClock(pub Zoned);

impl FixedClock {
    /// The clock stopped at `when`, written either as RFC 9557 with its zone in brackets
    /// (`2026-11-30T14:05:00+01:00[Europe/Paris]`, which needs the system's time zone
    /// database) or as plain RFC 3339 (`2026-11-30T14:05:00.123-03:30`, a fixed offset,
    /// which needs nothing and so suits tests that must pass on any machine).
    pub fn at(when: &str) -> Result<FixedClock, jiff::Error> {
        if when.contains('[') {
            return when.parse().map(FixedClock);
        }
        strtime::parse("%Y-%m-%dT%H:%M:%S%.f%:z", when)?
            .to_zoned()
            .map(FixedClock)
    }
}

impl Clock for FixedClock {
    fn now(&self) -> Zoned {
        self.0.clone()
    }
}

/// The time of day as a relayed message shows it: `09:05`, 24-hour, zero-padded, in the
/// time zone of `t` (the server's local time).
pub fn hh_mm(t: &Zoned) -> String {
    format!("{:02}:{:02}", t.hour(), t.minute())
}

/// The instant as a log line starts with: local date and time to the millisecond and the
/// offset from UTC, `2026-11-30T14:05:00.123+01:00` (RFC 3339). Milliseconds order the
/// lines of a busy server without making every line longer for digits nobody reads; the
/// offset makes the stamp unambiguous across time zones and daylight saving changes.
///
/// RFC 3339 offsets have no seconds. Only historical zones (local mean time, before 1972)
/// had such offsets; the instant is then shown in the offset cut to whole minutes, so the
/// stamp still names the right instant.
pub fn rfc3339(t: &Zoned) -> String {
    let seconds = t.offset().seconds();
    let whole_minutes = seconds - seconds % 60;
    if whole_minutes != seconds {
        // Cannot fail: a whole-minute cut of a valid offset is a valid offset.
        if let Ok(offset) = Offset::from_seconds(whole_minutes) {
            return rfc3339(&t.with_time_zone(TimeZone::fixed(offset)));
        }
    }
    let sign = if seconds < 0 { '-' } else { '+' };
    let minutes = whole_minutes.abs() / 60;
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}{sign}{:02}:{:02}",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond(),
        minutes / 60,
        minutes % 60,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(when: &str) -> Zoned {
        FixedClock::at(when).unwrap().now()
    }

    #[test]
    fn hh_mm_is_zero_padded_and_24_hour() {
        assert_eq!(hh_mm(&at("2026-11-30T09:05:00+01:00")), "09:05");
        assert_eq!(hh_mm(&at("2026-11-30T00:00:00+01:00")), "00:00");
        assert_eq!(hh_mm(&at("2026-11-30T23:59:59.999+01:00")), "23:59");
        assert_eq!(hh_mm(&at("2026-11-30T14:05:00-03:30")), "14:05");
    }

    #[test]
    fn hh_mm_is_the_local_time_of_the_zone() {
        // The same instant, 23:30 in UTC, is already the next day in Paris.
        let utc = at("2026-11-30T23:30:00+00:00");
        let paris = utc.with_time_zone(TimeZone::fixed(jiff::tz::offset(1)));
        assert_eq!(hh_mm(&utc), "23:30");
        assert_eq!(hh_mm(&paris), "00:30");
    }

    #[test]
    fn rfc3339_has_milliseconds_and_the_offset() {
        let cases = [
            (
                "2026-11-30T14:05:00.123+01:00",
                "2026-11-30T14:05:00.123+01:00",
            ),
            ("2026-11-30T00:00:00+00:00", "2026-11-30T00:00:00.000+00:00"),
            (
                "2026-11-30T23:59:59.999999-03:30",
                "2026-11-30T23:59:59.999-03:30",
            ),
            (
                "0099-01-02T03:04:05.006+14:00",
                "0099-01-02T03:04:05.006+14:00",
            ),
            (
                "2026-06-01T08:00:00.5-09:45",
                "2026-06-01T08:00:00.500-09:45",
            ),
        ];
        for (when, shown) in cases {
            assert_eq!(rfc3339(&at(when)), shown, "for {when}");
        }
    }

    #[test]
    fn rfc3339_reads_back_as_the_same_instant() {
        let t = at("2026-03-29T01:59:59.250-00:30");
        let back: Timestamp = rfc3339(&t).parse().unwrap();
        assert_eq!(back, t.timestamp());
    }

    #[test]
    fn an_offset_with_seconds_is_cut_to_minutes_and_keeps_the_instant() {
        // Paris local mean time, +00:09:21, until 1911.
        let lmt = Offset::from_seconds(9 * 60 + 21).unwrap();
        let t = "1900-01-01T12:00:00Z"
            .parse::<Timestamp>()
            .unwrap()
            .to_zoned(TimeZone::fixed(lmt));
        assert_eq!(rfc3339(&t), "1900-01-01T12:09:00.000+00:09");
        let back: Timestamp = rfc3339(&t).parse().unwrap();
        assert_eq!(back, t.timestamp());

        let west = Offset::from_seconds(-(3600 + 59)).unwrap();
        let t = t.with_time_zone(TimeZone::fixed(west));
        assert_eq!(rfc3339(&t), "1900-01-01T11:00:00.000-01:00");
    }

    #[test]
    fn a_named_zone_is_accepted_too() {
        // Needs the system's zone database; a machine without it reports an error, and
        // the clock must not panic then either.
        match FixedClock::at("2026-11-30T14:05:00+01:00[Europe/Paris]") {
            Ok(clock) => assert_eq!(rfc3339(&clock.now()), "2026-11-30T14:05:00.000+01:00"),
            Err(err) => eprintln!("no zone database here: {err}"),
        }
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        for when in [
            "",
            "14:05",
            "2026-13-01T00:00:00+01:00",
            "2026-11-30T14:05:00[Nowhere/X]",
        ] {
            assert!(FixedClock::at(when).is_err(), "{when:?}");
        }
    }

    #[test]
    fn the_system_clock_is_near_the_system_time() {
        let now = SystemClock.now();
        let system = Timestamp::try_from(SystemTime::now()).unwrap();
        assert!(system.duration_since(now.timestamp()).as_secs().abs() < 5);
        assert_eq!(rfc3339(&now).len(), "2026-11-30T14:05:00.123+01:00".len());
    }
}
