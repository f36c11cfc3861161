//! Work split in two halves on two threads, results kept in order.
//!
//! Why one helper: parsing templates, reading a chart's files and decoding manifest heads
//! (and, in `helm-kube`, scanning CRD files and decoding release histories) each split a list
//! in two and run the halves side by side (2-core machines are the norm in CI), and each
//! needs the same care: the split follows the work's size, not the item count,
//! and a panic on the helper thread (a bug) is not fatal: that half is redone on the caller.

/// Splits `items` where the running `size` first reaches half the total: the two halves carry
/// about equal work (one big template can outweigh twenty helpers).
pub fn split_by_size<T>(items: &[T], size: impl Fn(&T) -> usize) -> (&[T], &[T]) {
    let total: usize = items.iter().map(&size).sum();
    let mut acc = 0;
    let at = items
        .iter()
        .position(|it| {
            let reached = acc >= total / 2;
            acc += size(it);
            reached
        })
        .unwrap_or(items.len());
    items.split_at(at)
}

/// `work` on each half of `items` (split by [`split_by_size`]), the second half on a helper
/// thread; returns (first half's result, second half's result).
pub fn on_two_threads<T: Sync, R: Send>(
    items: &[T],
    size: impl Fn(&T) -> usize,
    work: impl Fn(&[T]) -> R + Sync,
) -> (R, R) {
    let (first, second) = split_by_size(items, size);
    std::thread::scope(|s| {
        let later = s.spawn(|| work(second));
        let a = work(first);
        (a, later.join().unwrap_or_else(|_| work(second)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_at_half_the_work() {
        // The split comes before the first item met once half the total is reached.
        assert_eq!(
            split_by_size(&[1, 1, 1, 1], |x| *x),
            (&[1, 1][..], &[1, 1][..])
        );
        assert_eq!(
            split_by_size(&[10, 1, 1, 1], |x| *x),
            (&[10][..], &[1, 1, 1][..])
        );
        assert_eq!(
            split_by_size(&[1, 1, 10], |x| *x),
            (&[1, 1, 10][..], &[][..])
        );
        assert_eq!(split_by_size::<usize>(&[], |x| *x), (&[][..], &[][..]));
        let (a, b) = on_two_threads(
            &[1, 2, 3, 4, 5, 6],
            |_| 1,
            |p: &[i32]| p.iter().sum::<i32>(),
        );
        assert_eq!((a, b), (6, 15));
    }
}
