//! One patience factor for every wait of the checks.
//!
//! The checks wait for things to happen (a reply, a console line, a program's exit) and
//! watch for things not to happen (silence). Each wait has a base value chosen, with its
//! reason, where it is used; all are multiplied by one factor, `grade --patience F`
//! (default 1), so that a class of slow interpreters or a loaded machine is graded with
//! more patience in one place rather than by editing constants. Thresholds that are part
//! of what a check measures (a fixture page's delay, the interval between counts) are not
//! waits and do not scale.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The factor, as `f64` bits; 1.0 until set.
static FACTOR: AtomicU64 = AtomicU64::new(0x3FF0_0000_0000_0000);

/// Sets the factor for every wait from now on (the `grade` binary does, from
/// `--patience`). Values outside 0.1..=100 are clamped.
pub fn set_factor(factor: f64) {
    let factor = if factor.is_finite() {
        factor.clamp(0.1, 100.0)
    } else {
        1.0
    };
    FACTOR.store(factor.to_bits(), Ordering::Relaxed);
}

/// The factor in force.
pub fn factor() -> f64 {
    f64::from_bits(FACTOR.load(Ordering::Relaxed))
}

/// `base` times the patience factor.
pub fn patient(base: Duration) -> Duration {
    base.mul_f64(factor())
}

/// A wait in seconds for a reason: `3`, or `1.5` when it is not whole.
pub fn secs(wait: Duration) -> String {
    let s = wait.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0}")
    } else {
        format!("{s:.1}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_scale_with_the_factor_and_absurd_factors_are_clamped() {
        // One test changes the process-wide factor, and puts it back.
        assert_eq!(patient(Duration::from_secs(3)), Duration::from_secs(3));
        set_factor(2.5);
        assert_eq!(patient(Duration::from_secs(2)), Duration::from_secs(5));
        set_factor(f64::NAN);
        assert_eq!(factor(), 1.0);
        set_factor(1e9);
        assert_eq!(factor(), 100.0);
        set_factor(1.0);
        assert_eq!(secs(Duration::from_secs(3)), "3");
        assert_eq!(secs(Duration::from_millis(1500)), "1.5");
    }
}
