// Fixed-block parallel loops and reductions: every row visited once, in the blocks the
// documentation promises, and sums with the same bits whatever the number of threads.
#include <clv/core/parallel.hpp>

#include <doctest/doctest.h>

#include <array>
#include <bit>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <stdexcept>
#include <vector>

namespace {

/// Values spanning many magnitudes and both signs, so that the order of additions changes the
/// rounded sum (a test of identical bits must be able to fail).
std::vector<double> awkward_values(std::size_t n) {
    std::vector<double> v(n);
    std::uint64_t state = 12345;
    for (std::size_t i = 0; i < n; ++i) {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        const double u = static_cast<double>(state >> 11) / 9007199254740992.0;
        v[i] = (u - 0.4) * std::pow(10.0, static_cast<double>(i % 17) - 8);
    }
    return v;
}

/// The documented fold, written out independently: each block summed left to right, then the
/// block sums added in block order.
double blockwise_sum(const std::vector<double>& v, std::size_t block_size) {
    double total = 0;
    bool first = true;
    for (std::size_t begin = 0; begin < v.size(); begin += block_size) {
        double block = 0;
        for (std::size_t i = begin; i < std::min(v.size(), begin + block_size); ++i) block += v[i];
        total = first ? block : total + block;
        first = false;
    }
    return total;
}

}  // namespace

TEST_CASE("hardware_threads is at least 1") { CHECK(clv::hardware_threads() >= 1U); }

TEST_CASE("parallel_for_blocks visits every block once with the documented bounds") {
    for (const unsigned threads : {0U, 1U, 2U, 3U, 8U}) {
        for (const std::size_t n : {std::size_t{1}, std::size_t{7}, std::size_t{64}, std::size_t{1001}}) {
            CAPTURE(threads);
            CAPTURE(n);
            const std::size_t block_size = 64;
            const std::size_t blocks = (n + block_size - 1) / block_size;
            CHECK(clv::block_count(n, block_size) == blocks);
            std::vector<int> visits(n, 0);
            std::vector<std::array<std::size_t, 2>> bounds(blocks, {0, 0});
            clv::parallel_for_blocks(n, block_size, threads, [&](std::size_t begin, std::size_t end, std::size_t k) {
                bounds[k] = {begin, end};
                for (std::size_t i = begin; i < end; ++i) ++visits[i];
            });
            for (std::size_t k = 0; k < blocks; ++k) {
                CHECK(bounds[k][0] == k * block_size);
                CHECK(bounds[k][1] == std::min(n, (k + 1) * block_size));
            }
            CHECK(std::all_of(visits.begin(), visits.end(), [](int c) { return c == 1; }));
        }
    }
}

TEST_CASE("parallel_reduce_blocks gives identical bits for 1, 2, 3 and 8 threads") {
    const std::vector<double> v = awkward_values(100'003);
    const std::size_t block_size = 1000;
    auto sum_block = [&](std::size_t begin, std::size_t end) {
        double s = 0;
        for (std::size_t i = begin; i < end; ++i) s += v[i];
        return s;
    };
    auto plus = [](double a, double b) { return a + b; };
    const double expected = blockwise_sum(v, block_size);
    // The order matters for these values: a plain left-to-right sum differs in its last bits,
    // so equality below is a real check of the fixed order.
    CHECK(std::bit_cast<std::uint64_t>(std::accumulate(v.begin(), v.end(), 0.0)) !=
          std::bit_cast<std::uint64_t>(expected));
    for (const unsigned threads : {1U, 2U, 3U, 8U}) {
        CAPTURE(threads);
        for (int repeat = 0; repeat < 5; ++repeat) {
            const double got = clv::parallel_reduce_blocks(v.size(), block_size, threads, 0.0, sum_block, plus);
            CHECK(std::bit_cast<std::uint64_t>(got) == std::bit_cast<std::uint64_t>(expected));
        }
    }
}

TEST_CASE("parallel_reduce_blocks folds vector-valued partials in block order") {
    // A non-commutative combine (keep the sequence of block indices) shows the order directly.
    for (const unsigned threads : {1U, 2U, 3U, 8U}) {
        CAPTURE(threads);
        const auto order = clv::parallel_reduce_blocks(
            50, 4, threads, std::vector<std::size_t>{},
            [](std::size_t begin, std::size_t) { return std::vector<std::size_t>{begin / 4}; },
            [](std::vector<std::size_t> a, const std::vector<std::size_t>& b) {
                a.insert(a.end(), b.begin(), b.end());
                return a;
            });
        std::vector<std::size_t> expected(13);
        std::iota(expected.begin(), expected.end(), std::size_t{0});
        CHECK(order == expected);
    }
}

TEST_CASE("n = 0 runs no block and the reduction returns its empty value") {
    for (const unsigned threads : {1U, 2U, 8U}) {
        int calls = 0;
        clv::parallel_for_blocks(0, 16, threads, [&](std::size_t, std::size_t, std::size_t) { ++calls; });
        CHECK(calls == 0);
        const double r = clv::parallel_reduce_blocks(
            0, 16, threads, -1.5, [&](std::size_t, std::size_t) { return ++calls, 1.0; },
            [](double a, double b) { return a + b; });
        CHECK(r == -1.5);
        CHECK(calls == 0);
    }
}

TEST_CASE("an exception thrown inside a block reaches the caller after all workers stop") {
    for (const unsigned threads : {1U, 2U, 3U, 8U}) {
        CAPTURE(threads);
        CHECK_THROWS_WITH_AS(clv::parallel_for_blocks(1000, 10, threads,
                                                      [](std::size_t begin, std::size_t, std::size_t k) {
                                                          if (k == 37) throw std::runtime_error("block 37 failed");
                                                          (void)begin;
                                                      }),
                             "block 37 failed", std::runtime_error);
        CHECK_THROWS_AS(clv::parallel_reduce_blocks(
                            1000, 10, threads, 0.0,
                            [](std::size_t begin, std::size_t) -> double {
                                if (begin == 990) throw std::domain_error("last block");
                                return 1.0;
                            },
                            [](double a, double b) { return a + b; }),
                        std::domain_error);
    }
}

TEST_CASE("a block size of 0 is refused naming the field") {
    CHECK_THROWS_WITH_AS(clv::parallel_for_blocks(10, 0, 2, [](std::size_t, std::size_t, std::size_t) {}),
                         doctest::Contains("block_size"), clv::invalid_input);
}
