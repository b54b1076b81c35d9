// Writes the transaction log that bench/scaling.sh summarizes, fits and scores at 10^4 .. 10^7
// customers: clv's own simulator (data/simulate_transactions.hpp: BG/NBD purchases with CDNOW's
// published weekly parameters, Gamma-Gamma order values), customers acquired over a year from
// 2022-01-01 and observed to day 546 (78 weeks), ISO dates, amounts with cents. Customers are
// simulated in batches of 10^5 so that memory stays small at 10^7.
// Usage: bench_scaling_data CUSTOMERS OUT.csv [SEED]
#include <clv/data/simulate_transactions.hpp>
#include <clv/io/dates.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>

int main(int argc, char** argv) {
    if (argc < 3) {
        std::fprintf(stderr, "usage: %s CUSTOMERS OUT.csv [SEED]\n", argv[0]);
        return 1;
    }
    try {
        const std::size_t customers = std::stoull(argv[1]);
        const std::uint64_t seed = argc > 3 ? std::stoull(argv[3]) : 20261130;
        const std::string partial = std::string(argv[2]) + ".partial";
        std::FILE* out = std::fopen(partial.c_str(), "wb");
        if (!out) throw std::runtime_error("cannot write " + partial);
        std::fputs("customer_id,date,amount\n", out);
        constexpr std::size_t batch = 100'000;
        clv::transaction_log_settings settings;
        settings.first_day = *clv::io::day_number(2022, 1, 1);
        settings.acquisition_days = 365;
        settings.end_day = settings.first_day + 546;
        for (std::size_t done = 0; done < customers; done += batch) {
            settings.customers = std::min(batch, customers - done);
            settings.seed = seed + done;
            for (const auto& t : clv::simulate_transaction_log(settings)) {
                // The simulator numbers a batch's customers from C100000: the batch's offset makes ids unique.
                const std::size_t index = std::stoull(t.customer_id.substr(1)) - 100000 + done;
                std::fprintf(out, "C%zu,%s,%.2f\n", 1'000'000'000 + index, clv::iso_date(t.day).c_str(), t.amount);
            }
        }
        if (std::fclose(out) != 0) throw std::runtime_error("cannot write " + partial);
        if (std::rename(partial.c_str(), argv[2]) != 0) throw std::runtime_error("cannot rename " + partial);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_scaling_data: %s\n", e.what());
        return 1;
    }
    return 0;
}
