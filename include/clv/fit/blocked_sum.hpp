// The summed, weighted log-likelihood and its gradient over the rows of a data set, formed block
// by block on `threads` threads (core/parallel.hpp): each block of `block_rows` rows is summed
// on its own and the block results are added in block order, so the fit is the same to the last
// bit whatever the number of threads. Every model's `log_likelihood_with_gradient` goes through
// here.
#pragma once

#include <clv/core/parallel.hpp>

#include <array>
#include <cstddef>

namespace clv::fit {

/// Rows per block of a summed likelihood: large enough that a block costs far more than handing
/// it to a thread (tens of microseconds), small enough that 10^5 rows give dozens of blocks.
inline constexpr std::size_t likelihood_block_rows = 2048;

/// Sums `block_sum(begin, end, gradient)` over the blocks of `n` rows: `block_sum` returns the
/// block's log-likelihood and adds its gradient (K entries) into `gradient`, which starts at 0
/// for every block. Writes the total gradient to `*gradient` when it is not null (when it is
/// null, `block_sum` still gets an array, to keep one signature). Exceptions from `block_sum`
/// propagate.
template <std::size_t K, class BlockSum>
double blocked_log_likelihood(std::size_t n, unsigned threads, std::array<double, K>* gradient, BlockSum&& block_sum) {
    using partial = std::array<double, K + 1>;  // log-likelihood, then the gradient
    const partial total = parallel_reduce_blocks(
        n, likelihood_block_rows, threads, partial{},
        [&](std::size_t begin, std::size_t end) {
            std::array<double, K> g{};
            partial out{};
            out[0] = block_sum(begin, end, g);
            for (std::size_t i = 0; i < K; ++i) out[i + 1] = g[i];
            return out;
        },
        [](partial a, const partial& b) {
            for (std::size_t i = 0; i <= K; ++i) a[i] += b[i];
            return a;
        });
    if (gradient)
        for (std::size_t i = 0; i < K; ++i) (*gradient)[i] = total[i + 1];
    return total[0];
}

}  // namespace clv::fit
