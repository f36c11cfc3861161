//! Huge pages for the heap of a one-shot render.
//!
//! Why: `helm-rs template` touches every heap page once (chart files, parse trees, values,
//! output) and exits. With 4 KiB pages each first touch is a page fault: ~6,500 for
//! kube-prometheus-stack, about a fifth of the run in the kernel. Transparent huge pages turn
//! 512 of those faults into one. Most kernels enable THP only for memory that asks for it
//! (`madvise` mode), and glibc asks only when `GLIBC_TUNABLES=glibc.malloc.hugetlb=1` is set in
//! the environment, which a program cannot set for itself. So, before the render starts:
//! - glibc grows the main heap in 64 MiB steps (`M_TOP_PAD`: address space, not memory; pages
//!   count only once touched), never gives it back (`M_TRIM_THRESHOLD`: the process is about to
//!   exit), and serves blocks up to 32 MiB from it instead of separate mappings
//!   (`M_MMAP_THRESHOLD`), so file contents and output land in it too;
//! - one allocation makes it grow, and the grown range is marked `MADV_HUGEPAGE`.
//!
//! The heap is used from the bottom up, so resident memory grows only by 2–3 MiB
//! (kube-prometheus-stack: 33 → 36 MiB peak, still under half of Helm's 78). Helper threads
//! keep glibc's per-thread arenas with 4 KiB pages: advising those too cut more faults but did
//! not shorten the corpus run.
//! Measured over the corpus without the three RSA-heavy charts, alternating 3 rounds: 0.94x
//! time (0.97x with glibc's default mmap threshold: the large blocks are where the faults are).
//!
//! Only for commands that render once and exit; a long-running `helm-rs serve` keeps glibc's
//! defaults. Elsewhere than Linux with glibc this does nothing.

/// Arranges the main heap as above. Call before the render allocates.
pub fn use_huge_pages_for_one_shot_run() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt, sbrk(0), madvise and a malloc/free pair; madvise(MADV_HUGEPAGE) on the
    // heap range only changes how the kernel backs it, never its contents.
    unsafe {
        const TOP_PAD: usize = 64 << 20;
        const HUGE_PAGE: usize = 2 << 20;
        libc::mallopt(libc::M_MMAP_THRESHOLD, 32 << 20);
        libc::mallopt(libc::M_TRIM_THRESHOLD, i32::MAX);
        libc::mallopt(libc::M_TOP_PAD, TOP_PAD as i32);
        let before = libc::sbrk(0) as usize;
        // Larger than what is left at the top of the young heap, so the heap grows now
        // (black_box: an unused malloc/free pair would be optimised away).
        let block = std::hint::black_box(libc::malloc(1 << 20));
        let after = libc::sbrk(0) as usize;
        let from = before.next_multiple_of(HUGE_PAGE);
        if !block.is_null() && after > from {
            libc::madvise(from as *mut libc::c_void, after - from, libc::MADV_HUGEPAGE);
        }
        libc::free(block);
    }
}
