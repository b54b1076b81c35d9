// Building blocks of the transaction summarizer (data/summarize.hpp): customer ids numbered in
// order of first appearance, and transaction rows kept compactly and handed back grouped by customer.
#pragma once

#include <clv/core/errors.hpp>
#include <clv/data/id_arena.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <optional>
#include <cstring>
#include <limits>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#endif

namespace clv::detail {

/// A std::vector allocator whose large blocks are backed by 2 MiB pages where the system offers
/// them (Linux transparent huge pages in "madvise" mode). Random lookups in a table of tens of
/// megabytes otherwise miss the TLB on almost every access, and under virtualisation a page walk
/// costs more than the cache miss itself.
template <class T>
struct huge_page_allocator {
    using value_type = T;
    huge_page_allocator() = default;
    template <class U>
    huge_page_allocator(const huge_page_allocator<U>&) noexcept {}

    static constexpr std::size_t huge_page = std::size_t{2} << 20;

    T* allocate(std::size_t n) {
        const std::size_t bytes = n * sizeof(T);
        if (bytes < huge_page) return std::allocator<T>{}.allocate(n);
        const std::size_t rounded = (bytes + huge_page - 1) / huge_page * huge_page;
        void* p = std::aligned_alloc(huge_page, rounded);
        if (!p) throw std::bad_alloc();
#if defined(__linux__) && defined(MADV_HUGEPAGE)
        ::madvise(p, rounded, MADV_HUGEPAGE);  // a hint: ignoring failure only costs speed
#endif
        return static_cast<T*>(p);
    }
    void deallocate(T* p, std::size_t n) noexcept {
        if (n * sizeof(T) < huge_page) {
            std::allocator<T>{}.deallocate(p, n);
        } else {
            std::free(p);
        }
    }
    template <class U>
    bool operator==(const huge_page_allocator<U>&) const noexcept { return true; }
};

/// Customer ids -> 0, 1, 2, ... in order of first appearance, by open addressing with linear
/// probing over 16-byte slots. A slot holds 24 bits of the id's hash, its length (255: longer),
/// the index + 1 (0: empty) and the id's first 8 bytes, so that a lookup of an id of up to 8
/// bytes reads one slot and nothing else, and a longer id is compared in full only in its own
/// slot. On 10^7 rows by 10^6 customers the lookups are cache misses whatever the layout; one
/// miss per row instead of three (slot, end offset, text) made the summary twice as fast.
/// `prefetch` lets a reader start the miss before it parses the rest of the row.
class customer_ids {
public:
    /// The index of `id`, and whether it was new.
    std::pair<std::uint32_t, bool> insert(std::string_view id) {
        const std::size_t hash = hash_of(id);
        const slot key = key_of(id, hash);
        slot& found = slots_[find_slot(id, key, hash)];
        if (found.index_plus_one != 0) return {found.index_plus_one - 1, false};
        if (ids_.size() >= std::numeric_limits<std::uint32_t>::max() - 1)
            throw invalid_input("customer", std::string(id), "more than 2^32 - 2 customers");
        const auto index = static_cast<std::uint32_t>(ids_.size());
        found = key;
        found.index_plus_one = index + 1;
        ids_.push_back(id);
        if (2 * ids_.size() > slots_.size()) grow();
        return {index, true};
    }

    /// The index of `id`, if it has one.
    [[nodiscard]] std::optional<std::uint32_t> find(std::string_view id) const noexcept {
        const std::size_t hash = hash_of(id);
        const slot& found = slots_[find_slot(id, key_of(id, hash), hash)];
        if (found.index_plus_one == 0) return std::nullopt;
        return found.index_plus_one - 1;
    }

    /// Asks the processor to start loading the slot where `id` would be.
    void prefetch(std::string_view id) const noexcept {
        __builtin_prefetch(&slots_[hash_of(id) & (slots_.size() - 1)]);
    }

    [[nodiscard]] std::size_t size() const noexcept { return ids_.size(); }

    [[nodiscard]] std::string_view id(std::size_t index) const noexcept { return ids_[index]; }

    /// Frees the lookup table once no id will be inserted any more; `id` keeps working.
    void drop_lookup() { slots_ = {}; }

private:
    struct slot {
        std::uint32_t tag_and_length = 0;  // hash bits 40-63, then min(length, 255)
        std::uint32_t index_plus_one = 0;
        std::uint64_t prefix = 0;          // the id's first 8 bytes, zero-padded
    };
    using slot_vector = std::vector<slot, huge_page_allocator<slot>>;
    static constexpr std::size_t inline_bytes = sizeof(std::uint64_t);

    [[nodiscard]] static std::size_t hash_of(std::string_view id) noexcept { return std::hash<std::string_view>{}(id); }
    [[nodiscard]] static slot key_of(std::string_view id, std::size_t hash) noexcept {
        slot key;
        key.tag_and_length = static_cast<std::uint32_t>((hash >> 40) << 8) |
                             static_cast<std::uint32_t>(std::min<std::size_t>(id.size(), 255));
        std::memcpy(&key.prefix, id.data(), std::min(id.size(), inline_bytes));
        return key;
    }
    // The slot holding `id`, or the empty slot where it belongs.
    [[nodiscard]] std::size_t find_slot(std::string_view id, const slot& key, std::size_t hash) const noexcept {
        const std::size_t mask = slots_.size() - 1;
        for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
            const slot& s = slots_[i];
            if (s.index_plus_one == 0) return i;
            if (s.tag_and_length == key.tag_and_length && s.prefix == key.prefix &&
                (id.size() <= inline_bytes || this->id(s.index_plus_one - 1) == id))
                return i;
        }
    }
    // Doubles the table, keeping the load factor at most 1/2.
    void grow() {
        slot_vector old(slots_.size() * 2);
        old.swap(slots_);
        const std::size_t mask = slots_.size() - 1;
        for (const slot& s : old) {
            if (s.index_plus_one == 0) continue;
            std::size_t i = hash_of(id(s.index_plus_one - 1)) & mask;
            while (slots_[i].index_plus_one != 0) i = (i + 1) & mask;
            slots_[i] = s;
        }
    }

    slot_vector slots_ = slot_vector(1024);  // size: a power of two
    id_arena ids_;                     // every id, in index order
};

/// One transaction as kept for the reduction: 16 bytes.
struct compact_row {
    std::uint32_t customer;
    std::int32_t period;
    double amount;
};

/// Sorts rows by period, keeping the order of rows of the same period. Most customers' rows are
/// few or already sorted; insertion sort serves those without allocating.
inline void stable_sort_by_period(std::span<compact_row> rows) {
    auto earlier = [](const compact_row& a, const compact_row& b) { return a.period < b.period; };
    if (std::is_sorted(rows.begin(), rows.end(), earlier)) return;
    if (rows.size() > 32) {
        std::stable_sort(rows.begin(), rows.end(), earlier);
        return;
    }
    for (std::size_t i = 1; i < rows.size(); ++i) {
        const compact_row row = rows[i];
        std::size_t j = i;
        for (; j > 0 && row.period < rows[j - 1].period; --j) rows[j] = rows[j - 1];
        rows[j] = row;
    }
}

/// Rows appended in any order, handed back grouped by customer in index order.
///
/// Rows go into buckets of 4,096 consecutive customers, each a list of blocks of 2,048 rows, so
/// appending touches a few hundred write positions (they stay in cache) and memory is the rows
/// plus at most one partly filled block per bucket. `drain` then counting-sorts one bucket at a
/// time (its rows fit in the L2 cache for typical logs) and frees its blocks as it goes, so it
/// needs no second copy of the rows.
class rows_by_customer {
public:
    void append(const compact_row& row) {
        const std::size_t b = row.customer >> bucket_bits;
        if (b >= buckets_.size()) buckets_.resize(b + 1);
        bucket& k = buckets_[b];
        if (k.last_fill == block_rows) {
            k.blocks.emplace_back(new compact_row[block_rows]);
            k.last_fill = 0;
        }
        k.blocks.back()[k.last_fill++] = row;
    }

    /// Calls visit(customer, rows) for every customer 0, 1, ..., customers - 1 with that
    /// customer's rows in the order appended (rows of customers without any are empty). Empties
    /// the store. Counting happens here, per bucket in cache, rather than when appending (a
    /// counter per customer is one more cache miss per row).
    template <class Visit>
    void drain(std::size_t customers, Visit&& visit) {
        std::vector<compact_row> grouped;
        constexpr std::size_t width = std::size_t{1} << bucket_bits;
        std::vector<std::uint32_t> count(width);
        std::vector<std::size_t> start(width);
        for (std::size_t b = 0; b * width < customers; ++b) {
            const std::size_t first = b * width;
            const std::size_t last = std::min(customers, first + width);
            std::fill(count.begin(), count.end(), 0);
            bucket empty;
            bucket& k = b < buckets_.size() ? buckets_[b] : empty;
            auto for_each_block = [&](auto&& action) {
                for (std::size_t i = 0; i < k.blocks.size(); ++i)
                    action(std::span<const compact_row>(k.blocks[i].get(), i + 1 == k.blocks.size() ? k.last_fill : block_rows), i);
            };
            for_each_block([&](std::span<const compact_row> block, std::size_t) {
                for (const compact_row& row : block) ++count[row.customer - first];
            });
            std::size_t total = 0;
            for (std::size_t c = 0; c < last - first; ++c) {
                start[c] = total;
                total += count[c];
            }
            grouped.resize(total);
            for_each_block([&](std::span<const compact_row> block, std::size_t i) {
                for (const compact_row& row : block) grouped[start[row.customer - first]++] = row;
                k.blocks[i].reset();
            });
            k = bucket{};
            std::size_t begin = 0;
            for (std::size_t c = 0; c < last - first; ++c) {
                visit(static_cast<std::uint32_t>(first + c), std::span<compact_row>(grouped).subspan(begin, count[c]));
                begin += count[c];
            }
        }
        std::vector<bucket>().swap(buckets_);
    }

private:
    static constexpr unsigned bucket_bits = 12;
    static constexpr std::size_t block_rows = 2048;
    struct bucket {
        std::vector<std::unique_ptr<compact_row[]>> blocks;
        std::size_t last_fill = block_rows;  // rows in the last block
    };
    std::vector<bucket> buckets_;
};

}  // namespace clv::detail
