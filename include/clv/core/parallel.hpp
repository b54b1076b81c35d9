// Work over fixed blocks of rows on a few threads, with results that do not depend on the
// number of threads. Rows are cut into blocks [k * block_size, min(n, (k + 1) * block_size))
// whatever the thread count; threads only decide which worker runs which block. Sums are formed
// per block and then added in block order, so a summed log-likelihood has the same bits on 1 or
// 16 threads (it depends on the block size, which callers fix). The library runs on one thread
// unless the caller asks for more (fit_options::threads); no pool is kept between calls, since
// a fit calls this a few hundred times and starting a thread costs tens of microseconds.
#pragma once

#include <clv/core/errors.hpp>

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

namespace clv {

/// Number of hardware threads (std::thread::hardware_concurrency), at least 1.
inline unsigned hardware_threads() {
    const unsigned n = std::thread::hardware_concurrency();
    return n == 0 ? 1U : n;
}

/// Number of blocks of `block_size` rows that cover `n` rows (the last one may be shorter).
inline std::size_t block_count(std::size_t n, std::size_t block_size) {
    return block_size == 0 ? 0 : n / block_size + (n % block_size != 0 ? 1 : 0);
}

/// Calls `f(begin, end, block_index)` once for every block [k * block_size, min(n, (k + 1) *
/// block_size)), k = 0 .. block_count - 1. With `threads` <= 1 (or a single block) the blocks run
/// in order on the calling thread; otherwise on min(threads, blocks) workers, the calling thread
/// being one of them, in no particular order: `f` must only write state of its own block. The
/// first exception thrown by `f` stops the remaining blocks from starting and is rethrown here
/// after every worker has finished. Throws clv::invalid_input for block_size == 0.
template <class F>
void parallel_for_blocks(std::size_t n, std::size_t block_size, unsigned threads, F&& f) {
    if (block_size == 0) throw invalid_input("block_size", "0", "the block size must be at least 1");
    const std::size_t blocks = block_count(n, block_size);
    auto run_block = [&](std::size_t k) { f(k * block_size, std::min(n, (k + 1) * block_size), k); };
    if (threads <= 1 || blocks <= 1) {
        for (std::size_t k = 0; k < blocks; ++k) run_block(k);
        return;
    }
    std::atomic<std::size_t> next{0};
    std::atomic<bool> failed{false};
    std::exception_ptr error;
    std::mutex error_mutex;
    auto work = [&] {
        for (std::size_t k = next.fetch_add(1); k < blocks && !failed.load(); k = next.fetch_add(1)) {
            try {
                run_block(k);
            } catch (...) {
                const std::lock_guard lock(error_mutex);
                if (!error) error = std::current_exception();
                failed.store(true);
            }
        }
    };
    const auto helpers = static_cast<std::size_t>(std::min<std::size_t>(threads, blocks) - 1);
    std::vector<std::jthread> workers;
    workers.reserve(helpers);
    for (std::size_t i = 0; i < helpers; ++i) {
        try {
            workers.emplace_back(work);
        } catch (const std::system_error&) {
            break;  // no more threads available: the workers already started share the blocks
        }
    }
    work();
    for (auto& w : workers) w.join();
    if (error) std::rethrow_exception(error);
}

/// Deterministic parallel reduction: `block_value(begin, end)` gives one block's partial result
/// (a T), and the partials are folded in block order, result = combine(...combine(combine(
/// partial_0, partial_1), partial_2)..., partial_last), so the bits of the result do not depend on
/// `threads`. Returns `empty` when n == 0. Exceptions propagate as in parallel_for_blocks.
template <class T, class BlockValue, class Combine>
T parallel_reduce_blocks(std::size_t n, std::size_t block_size, unsigned threads, T empty,
                         BlockValue&& block_value, Combine&& combine) {
    if (block_size == 0) throw invalid_input("block_size", "0", "the block size must be at least 1");
    const std::size_t blocks = block_count(n, block_size);
    if (blocks == 0) return empty;
    if (threads <= 1 || blocks == 1) {  // the same fold, without storing the partials
        T result = block_value(std::size_t{0}, std::min(n, block_size));
        for (std::size_t k = 1; k < blocks; ++k)
            result = combine(std::move(result), block_value(k * block_size, std::min(n, (k + 1) * block_size)));
        return result;
    }
    std::vector<T> partial(blocks, empty);
    parallel_for_blocks(n, block_size, threads,
                        [&](std::size_t begin, std::size_t end, std::size_t k) { partial[k] = block_value(begin, end); });
    T result = std::move(partial[0]);
    for (std::size_t k = 1; k < blocks; ++k) result = combine(std::move(result), std::move(partial[k]));
    return result;
}

}  // namespace clv
