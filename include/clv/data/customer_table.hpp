// Column-oriented customer summaries (struct of arrays) and their compression into weighted
// unique rows. This is what the fitting layer and the predictions stream over.
#pragma once

#include <clv/core/concepts.hpp>
#include <clv/core/errors.hpp>
#include <clv/data/detail/rows_by_customer.hpp>
#include <clv/data/id_arena.hpp>

#include <algorithm>
#include <bit>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <numeric>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace clv {

/// One customer of a `customer_table`, as a value satisfying `transaction_record`,
/// `monetary_record` and `weighted_record`.
struct customer_row {
    double frequency = 0;
    double recency = 0;
    double T = 0;
    double monetary_value = 0;
    double weight = 1;
};

namespace detail {
/// `where` is either a `source_location` or a callable giving the location of a named field
/// (file readers map a field to its column), so messages can point at file:line:column.
template <class Where>
source_location field_location(const Where& where, const char* field) {
    if constexpr (std::is_invocable_r_v<source_location, const Where&, const char*>) {
        return where(field);
    } else {
        return where;
    }
}
}  // namespace detail

/// Largest frequency accepted: 2^53, above which doubles no longer hold every integer (and the
/// likelihoods' integer-indexed tables and sums would be undefined).
inline constexpr double max_frequency = 9007199254740992.0;

/// Throws `invalid_input` unless (frequency, recency, T) is a possible transactional summary:
/// all finite and non-negative, frequency a whole number below 2^53, recency <= T, and
/// recency == 0 when frequency == 0.
/// `where` names the row (a `source_location`, or a callable from field name to location).
template <class Where = source_location>
void validate_transaction_summary(double frequency, double recency, double T, const Where& where) {
    auto check_finite_nonnegative = [&](const char* field, double v) {
        if (!std::isfinite(v))
            throw invalid_input(field, to_message_string(v), "must be a finite number", detail::field_location(where, field));
        if (v < 0)
            throw invalid_input(field, to_message_string(v), "must not be negative", detail::field_location(where, field));
    };
    check_finite_nonnegative("frequency", frequency);
    check_finite_nonnegative("recency", recency);
    check_finite_nonnegative("T", T);
    if (frequency != std::floor(frequency))
        throw invalid_input("frequency", to_message_string(frequency), "must be a whole number of repeat purchases",
                            detail::field_location(where, "frequency"));
    if (frequency >= max_frequency)
        throw invalid_input("frequency", to_message_string(frequency), "must be below 2^53 = 9007199254740992",
                            detail::field_location(where, "frequency"));
    if (recency > T)
        throw invalid_input("recency", to_message_string(recency),
                            "recency must not exceed T (" + to_message_string(T) + ")",
                            detail::field_location(where, "recency"));
    if (frequency == 0 && recency != 0)
        throw invalid_input("recency", to_message_string(recency), "a customer with frequency 0 must have recency 0",
                            detail::field_location(where, "recency"));
}

/// Whether `row` passes `validate_customer_row`, without building any message: a few compares,
/// so that checking a table costs a few ns per row.
[[nodiscard]] inline bool is_valid_customer_row(const customer_row& row) noexcept {
    // Every compare is false for NaN; frequency < 2^53 makes the integer conversion exact.
    // `&` rather than `&&`: no branch per compare, so a loop over rows vectorises.
    constexpr double largest = std::numeric_limits<double>::max();
    const double whole = row.frequency >= 0 && row.frequency < max_frequency
                             ? static_cast<double>(static_cast<std::int64_t>(row.frequency))
                             : std::numeric_limits<double>::quiet_NaN();
    return (whole == row.frequency) & (row.recency >= 0) & (row.recency <= row.T) & (row.T <= largest) &
           ((row.frequency != 0) | (row.recency == 0)) & (row.monetary_value >= 0) &
           (row.monetary_value <= largest) & (row.weight > 0) & (row.weight <= largest);
}

/// Throws `invalid_input` unless `row` is a usable customer: a valid transactional summary,
/// a finite non-negative monetary value and a positive finite weight.
template <class Where = source_location>
void validate_customer_row(const customer_row& row, const Where& where) {
    if (is_valid_customer_row(row)) return;
    validate_transaction_summary(row.frequency, row.recency, row.T, where);
    if (!std::isfinite(row.monetary_value) || row.monetary_value < 0)
        throw invalid_input("monetary_value", to_message_string(row.monetary_value),
                            "must not be negative and must be finite", detail::field_location(where, "monetary_value"));
    if (!std::isfinite(row.weight) || row.weight <= 0)
        throw invalid_input("weight", to_message_string(row.weight), "must be positive and finite",
                            detail::field_location(where, "weight"));
}

/// Checks that customer ids are unique, one id at a time in row order, and says which earlier row
/// holds a repeated one. While the ids come in ascending order (byte order, or shorter first and
/// then byte order, as the numbered rows "1", "2", ..., "10" and most exports sorted by id do) none
/// is hashed: an ascending sequence has no repeats. From the first id out of order on, every id is
/// kept as its 64-bit hash and row index in an open-addressing table (16 bytes per id, no
/// allocation per id, about one cache miss per row); strings are compared only when hashes match.
/// Empty ids (anonymous rows) are never compared. `ids` is a std::vector<std::string>, an
/// `id_arena`, or anything else indexable whose elements convert to std::string_view.
class unique_id_check {
public:
    /// Adds `ids[i]`, where every non-empty id of `ids[0 .. i)` has been added before; returns the
    /// row of an earlier equal id, if any.
    template <class Ids>
    std::optional<std::size_t> add(const Ids& ids, std::size_t i) {
        if (ids[i].empty()) return std::nullopt;
        if (!hashing_ && still_ascending(ids, i)) return std::nullopt;
        return insert(ids, i, hash_of(ids[i]));
    }

    /// The first row whose id repeats an earlier one, if any (`add` for every row, with the
    /// table sized once and each row's slot fetched from memory a few rows ahead). With `begin`,
    /// rows before it were added by earlier calls (ids read chunk after chunk into one vector).
    template <class Ids>
    std::optional<std::size_t> first_repeat(const Ids& ids, std::size_t begin = 0) {
        std::size_t i = begin;
        for (; i < ids.size() && !hashing_; ++i)
            if (add(ids, i)) return i;
        if (i == ids.size()) return std::nullopt;
        while (2 * ids.size() > slots_.size()) grow();  // no growth while slots are fetched ahead
        constexpr std::size_t ahead = 16;
        std::array<std::uint64_t, ahead> hashes{};
        auto fetch = [&](std::size_t k) {
            hashes[k % ahead] = hash_of(ids[k]);
            __builtin_prefetch(&slots_[hashes[k % ahead] & (slots_.size() - 1)]);
        };
        for (std::size_t k = i; k < std::min(ids.size(), i + ahead); ++k) fetch(k);
        for (; i < ids.size(); ++i) {
            const std::uint64_t hash = hashes[i % ahead];
            if (i + ahead < ids.size()) fetch(i + ahead);
            if (!ids[i].empty() && insert(ids, i, hash)) return i;
        }
        return std::nullopt;
    }

private:
    struct slot {
        std::uint64_t hash = 0;
        std::size_t row_plus_one = 0;  // 0: empty
    };

    static std::uint64_t hash_of(std::string_view id) { return std::hash<std::string_view>{}(id); }

    // Whether ids[i] extends the ascending run (byte order, or (length, byte order)): either order
    // proves no repeat so far. At the first id out of both orders, the table is sized for every id
    // of `ids` and the run is hashed into it.
    template <class Ids>
    bool still_ascending(const Ids& ids, std::size_t i) {
        if (last_) {
            const std::string_view before = ids[*last_], id = ids[i];
            const int order = before.compare(id);
            by_bytes_ = by_bytes_ && order < 0;
            by_length_ = by_length_ && (before.size() < id.size() || (before.size() == id.size() && order < 0));
            if (!by_bytes_ && !by_length_) {
                hashing_ = true;
                while (2 * ids.size() > slots_.size()) grow();
                for (std::size_t k = 0; k < i; ++k)
                    if (!ids[k].empty()) insert(ids, k, hash_of(ids[k]));
                return false;
            }
        }
        last_ = i;
        return true;
    }

    template <class Ids>
    std::optional<std::size_t> insert(const Ids& ids, std::size_t i, std::uint64_t hash) {
        if (2 * (count_ + 1) > slots_.size()) grow();
        for (std::size_t k = hash & (slots_.size() - 1);; k = (k + 1) & (slots_.size() - 1)) {
            slot& s = slots_[k];
            if (s.row_plus_one == 0) {
                s = {hash, i + 1};
                ++count_;
                return std::nullopt;
            }
            if (s.hash == hash && std::string_view(ids[s.row_plus_one - 1]) == std::string_view(ids[i]))
                return s.row_plus_one - 1;
        }
    }

    void grow() {
        decltype(slots_) old(std::max<std::size_t>(1024, 2 * slots_.size()));
        old.swap(slots_);
        for (const slot& s : old) {
            if (s.row_plus_one == 0) continue;
            std::size_t k = s.hash & (slots_.size() - 1);
            while (slots_[k].row_plus_one != 0) k = (k + 1) & (slots_.size() - 1);
            slots_[k] = s;
        }
    }

    std::optional<std::size_t> last_;  // row of the last non-empty id while not hashing
    bool by_bytes_ = true, by_length_ = true, hashing_ = false;
    std::vector<slot, detail::huge_page_allocator<slot>> slots_;  // random probes: 2 MiB pages spare the TLB
    std::size_t count_ = 0;
};

/// Contiguous read-only columns of transactional summaries, the form every model's summed
/// log-likelihood and batch predictions take. `weight` may be empty (every row weighs 1).
struct transaction_columns {
    std::span<const double> frequency;
    std::span<const double> recency;
    std::span<const double> T;
    std::span<const double> weight;

    [[nodiscard]] std::size_t size() const noexcept { return frequency.size(); }
    [[nodiscard]] double weight_at(std::size_t i) const noexcept { return weight.empty() ? 1.0 : weight[i]; }
    [[nodiscard]] double total_weight() const noexcept {
        return weight.empty() ? static_cast<double>(frequency.size())
                              : std::accumulate(weight.begin(), weight.end(), 0.0);
    }
    /// Weighted mean age T: the data's own time scale (it scales with the unit of time), or 1
    /// when it is 0 or undefined.
    [[nodiscard]] double mean_T() const noexcept {
        double sum = 0, total = 0;
        for (std::size_t i = 0; i < size(); ++i) {
            sum += weight_at(i) * T[i];
            total += weight_at(i);
        }
        const double mean = sum / total;
        return mean > 0 && std::isfinite(mean) ? mean : 1.0;
    }
};

/// Customer summaries as columns. Holdout columns are filled only when the summary was built
/// with a calibration/holdout split; `monetary_value` is the mean value of repeat purchases
/// (0 for customers without repeat purchases).
struct customer_table {
    std::vector<std::string> ids;
    std::vector<double> frequency;
    std::vector<double> recency;
    std::vector<double> T;
    std::vector<double> monetary_value;
    std::vector<double> weight;
    std::vector<double> frequency_holdout;
    std::vector<double> monetary_value_holdout;
    std::vector<double> duration_holdout;

    [[nodiscard]] std::size_t size() const noexcept { return frequency.size(); }
    [[nodiscard]] bool empty() const noexcept { return frequency.empty(); }
    [[nodiscard]] bool has_holdout() const noexcept { return !frequency_holdout.empty(); }

    /// Appends a customer; the id is optional (an empty string) for anonymous rows.
    void push_back(std::string id, const customer_row& row) {
        ids.push_back(std::move(id));
        frequency.push_back(row.frequency);
        recency.push_back(row.recency);
        T.push_back(row.T);
        monetary_value.push_back(row.monetary_value);
        weight.push_back(row.weight);
    }

    /// Removes every customer and column, keeping the memory for the next use (a chunk of a stream).
    void clear() noexcept {
        for (auto* column : {&frequency, &recency, &T, &monetary_value, &weight, &frequency_holdout,
                             &monetary_value_holdout, &duration_holdout})
            column->clear();
        ids.clear();
    }

    [[nodiscard]] customer_row row(std::size_t i) const {
        return {frequency[i], recency[i], T[i], monetary_value.empty() ? 0.0 : monetary_value[i],
                weight.empty() ? 1.0 : weight[i]};
    }

    [[nodiscard]] transaction_columns columns() const noexcept { return {frequency, recency, T, weight}; }

    /// Checks that every non-empty column has one entry per customer, every row (see
    /// `validate_customer_row`), that ids are unique (`unique_id_check`: no hashing while they come
    /// in ascending order), and that the table is not empty. `source` names the table in messages (e.g. the file it came from);
    /// `first_line` is the line of row 0 in that file (0: report "row N" instead).
    void validate(const std::string& source = "customer table", std::size_t first_line = 0) const {
        if (empty()) throw invalid_input("", "", "no customers: the summary is empty", {source});
        check_column_lengths(source);
        auto where = [&](std::size_t i) {
            return first_line != 0 ? source_location{source, first_line + i, 0}
                                   : source_location{source + ", row " + std::to_string(i + 1), 0, 0};
        };
        // Blocks of rows are checked without branches (`is_valid_customer_row` on every row, the
        // results and-ed); only a block with a bad row is walked again to build the message.
        constexpr std::size_t block = 256;
        for (std::size_t begin = 0; begin < size(); begin += block) {
            const std::size_t end = std::min(size(), begin + block);
            bool valid = true;
            for (std::size_t i = begin; i < end; ++i) valid &= is_valid_customer_row(row(i));
            if (valid) continue;
            for (std::size_t i = begin; i < end; ++i)
                validate_customer_row(row(i), [&](const char*) { return where(i); });
        }
        if (const auto i = unique_id_check{}.first_repeat(ids))
            throw invalid_input("customer_id", ids[*i], "duplicate customer id", where(*i));
    }

    /// Throws `invalid_input` naming the first non-empty column whose length differs from the
    /// number of customers (`frequency`): such a table would be read past its end.
    void check_column_lengths(const std::string& source = "customer table") const {
        const std::pair<const char*, std::size_t> columns[] = {
            {"customer_id", ids.size()},        {"recency", recency.size()},
            {"T", T.size()},                    {"monetary_value", monetary_value.size()},
            {"weight", weight.size()},          {"frequency_holdout", frequency_holdout.size()},
            {"monetary_value_holdout", monetary_value_holdout.size()},
            {"duration_holdout", duration_holdout.size()}};
        for (const auto& [field, length] : columns)
            if (length != 0 && length != size())
                throw invalid_input(field, std::to_string(length),
                                    "column length differs from the number of customers (" +
                                        std::to_string(size()) + " frequencies)",
                                    {source});
    }
};

/// A compressed table: one weighted row per distinct (frequency, recency, T), and for every
/// original customer the index of its unique row, so predictions map back.
struct compressed_table {
    customer_table unique;
    std::vector<std::size_t> row_of_customer;
};

/// Merges customers with identical (frequency, recency, T) into weighted rows, fed one table (or
/// one chunk of a file) at a time, so that a summary far larger than memory compresses into the
/// few distinct rows a fit needs (`io::read_compressed_summary`). Customers are grouped through an
/// open-addressing hash table of the distinct rows (one probe per customer, the next customer's
/// slot prefetched), and only the distinct rows are sorted at the end: 10^6 day-granular customers
/// have about 3 x 10^5 of them, and sorting an index of every customer by its three keys took 5
/// times longer. Monetary values are not kept: compression is for the transaction models, which
/// ignore spend.
class summary_compressor {
public:
    /// Sizes the hash table for `customers` distinct rows (it grows past that by itself).
    void reserve(std::size_t customers) {
        if (customers > max_groups) throw std::length_error("summary_compressor: more than 4 x 10^9 distinct rows");
        if (2 * customers > slot_group_.size()) rehash(capacity_for(customers));
    }

    /// Adds the customers of `table` (weights from its weight column, or 1). With `group_of`, its
    /// entry i is set to the group number of customer i of `table` (numbers count the distinct
    /// rows in order of first appearance; `finish` maps them to rows).
    void add(const customer_table& table, std::uint32_t* group_of = nullptr) {
        // Sub-chunks of at most `batch` customers: the table is sized for all of a sub-chunk's
        // customers being new, so that no rehash happens while slots and groups are fetched ahead.
        constexpr std::size_t batch = 65536;
        for (std::size_t begin = 0; begin < table.size(); begin += batch)
            add_rows(table, begin, std::min(table.size(), begin + batch), group_of);
        customers_ += table.size();
    }

    /// Customers added so far.
    [[nodiscard]] std::size_t customers() const noexcept { return customers_; }

    /// The distinct rows in ascending (frequency, recency, T) order, each weighing the customers it
    /// stands for (weights added in the order the customers came). With `row_of_group`, its entry
    /// g is set to the row of group number g (size: the number of distinct rows). Leaves the
    /// compressor empty.
    customer_table finish(std::vector<std::uint32_t>* row_of_group = nullptr) {
        std::sort(groups_.begin(), groups_.end(), [](const group& a, const group& b) {
            return std::tie(a.frequency, a.recency, a.T) < std::tie(b.frequency, b.recency, b.T);
        });
        customer_table unique;
        unique.frequency.reserve(groups_.size());
        unique.recency.reserve(groups_.size());
        unique.T.reserve(groups_.size());
        unique.weight.reserve(groups_.size());
        if (row_of_group) row_of_group->assign(groups_.size(), 0);
        for (std::size_t r = 0; r < groups_.size(); ++r) {
            const group& g = groups_[r];
            unique.push_back("", {g.frequency, g.recency, g.T, 0.0, g.weight});
            if (row_of_group) (*row_of_group)[g.number] = static_cast<std::uint32_t>(r);
        }
        *this = summary_compressor{};
        return unique;
    }

    /// Merges what `finish` gave for two compressors, `first` fed customers that come before
    /// those `second` was fed, into what one compressor fed them all gives: the distinct rows in
    /// ascending order, a row of both weighing first's weight + second's and keeping first's
    /// values (-0 and +0 are one key, the first seen). The weights have the same bits as one
    /// compressor's whenever their sums are exact, as sums of whole numbers below 2^53 are (every
    /// weight 1); other weights may differ in the last bits, their additions grouped otherwise.
    [[nodiscard]] static customer_table merge(const customer_table& first, const customer_table& second) {
        auto key = [](const customer_table& table, std::size_t i) {
            return std::tie(table.frequency[i], table.recency[i], table.T[i]);
        };
        customer_table merged;
        for (auto* column : {&merged.frequency, &merged.recency, &merged.T, &merged.weight})
            column->reserve(first.size() + second.size());
        auto append = [&merged](const customer_table& table, std::size_t i, double weight) {
            merged.frequency.push_back(table.frequency[i]);
            merged.recency.push_back(table.recency[i]);
            merged.T.push_back(table.T[i]);
            merged.weight.push_back(weight);
        };
        std::size_t i = 0, j = 0;
        while (i < first.size() || j < second.size()) {
            if (j == second.size() || (i < first.size() && key(first, i) < key(second, j))) {
                append(first, i, first.weight[i]);
                ++i;
            } else if (i == first.size() || key(second, j) < key(first, i)) {
                append(second, j, second.weight[j]);
                ++j;
            } else {
                append(first, i, first.weight[i] + second.weight[j]);
                ++i;
                ++j;
            }
        }
        // No ids and no spend, as `finish` gives them (a column at once rather than row by row).
        merged.ids.resize(merged.size());
        merged.monetary_value.resize(merged.size());
        return merged;
    }

private:
    static constexpr std::uint32_t empty = std::numeric_limits<std::uint32_t>::max();
    static constexpr std::size_t max_groups = empty - 1;
    // A group's key and weight side by side (one cache line to compare a customer with it), and
    // its number, so that the groups can be sorted in place and numbered afterwards.
    struct group {
        double frequency, recency, T, weight;
        std::uint32_t number;
    };

    // Keys as bit patterns, with -0 folded into +0 so that equal values share a group (NaN, which
    // validation refuses, would only form groups of one).
    static std::uint64_t hash_of(double frequency, double recency, double T) {
        auto bits = [](double v) { return std::bit_cast<std::uint64_t>(v + 0.0); };
        std::uint64_t h = bits(frequency) * 0x9E3779B97F4A7C15ULL;
        h = (h ^ (h >> 29) ^ bits(recency)) * 0xBF58476D1CE4E5B9ULL;
        h = (h ^ (h >> 31) ^ bits(T)) * 0x94D049BB133111EBULL;
        return h ^ (h >> 32);
    }
    static std::size_t capacity_for(std::size_t groups) {
        std::size_t capacity = 16;
        while (capacity < 2 * groups) capacity *= 2;
        return capacity;
    }
    void rehash(std::size_t capacity) {
        slot_group_.assign(capacity, empty);
        const std::size_t mask = capacity - 1;
        for (const group& g : groups_) {
            std::size_t k = hash_of(g.frequency, g.recency, g.T) & mask;
            while (slot_group_[k] != empty) k = (k + 1) & mask;
            slot_group_[k] = g.number;
        }
    }

    // Rows [begin, end) of `table`. Each customer costs two cache misses on large data (its slot,
    // then its group), so both are fetched ahead in two stages: the slot `ahead` customers before
    // it is needed, the group of what the slot holds half as many before.
    void add_rows(const customer_table& table, std::size_t begin, std::size_t end, std::uint32_t* group_of) {
        if (groups_.size() + (end - begin) > max_groups)
            throw std::length_error("summary_compressor: more than 4 x 10^9 distinct rows");
        reserve(groups_.size() + (end - begin));
        const std::size_t mask = slot_group_.size() - 1;
        constexpr std::size_t ahead = 16, half = ahead / 2;
        std::array<std::size_t, ahead> hashes{};
        auto hash_at = [&](std::size_t i) { return hash_of(table.frequency[i], table.recency[i], table.T[i]); };
        for (std::size_t i = begin; i < std::min(end, begin + ahead); ++i) {
            hashes[i % ahead] = hash_at(i);
            __builtin_prefetch(&slot_group_[hashes[i % ahead] & mask]);
        }
        for (std::size_t i = begin; i < end; ++i) {
            const std::size_t hash = hashes[i % ahead];
            if (i + ahead < end) {
                hashes[(i + ahead) % ahead] = hash_at(i + ahead);
                __builtin_prefetch(&slot_group_[hashes[(i + ahead) % ahead] & mask]);
            }
            if (i + half < end) {
                const std::uint32_t g = slot_group_[hashes[(i + half) % ahead] & mask];
                if (g != empty) __builtin_prefetch(&groups_[g]);
            }
            const double x = table.frequency[i], t_x = table.recency[i], T = table.T[i];
            const double w = table.weight.empty() ? 1.0 : table.weight[i];
            for (std::size_t k = hash & mask;; k = (k + 1) & mask) {
                const std::uint32_t g = slot_group_[k];
                if (g == empty) {
                    const auto number = static_cast<std::uint32_t>(groups_.size());
                    slot_group_[k] = number;
                    if (group_of) group_of[i] = number;
                    groups_.push_back({x, t_x, T, w, number});
                    break;
                }
                group& found = groups_[g];
                if (found.frequency == x && found.recency == t_x && found.T == T) {
                    if (group_of) group_of[i] = g;
                    found.weight += w;
                    break;
                }
            }
        }
    }

    std::vector<std::uint32_t> slot_group_;  // group number held by a slot
    std::vector<group> groups_;
    std::size_t customers_ = 0;
};

/// Merges customers with identical (frequency, recency, T) into weighted rows (weights add up, in
/// customer order), in ascending (frequency, recency, T) order, and keeps for every customer the
/// row that stands for it (`summary_compressor` with the whole table at once).
inline compressed_table compress(const customer_table& table) {
    const std::size_t n = table.size();
    compressed_table out;
    if (n == 0) return out;
    summary_compressor compressor;
    compressor.reserve(n);
    std::vector<std::uint32_t> group_of(n), row_of_group;
    compressor.add(table, group_of.data());
    out.unique = compressor.finish(&row_of_group);
    out.row_of_customer.resize(n);
    for (std::size_t i = 0; i < n; ++i) out.row_of_customer[i] = row_of_group[group_of[i]];
    return out;
}

}  // namespace clv
