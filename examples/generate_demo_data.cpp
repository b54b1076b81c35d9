// Writes the demo transaction log examples/data/demo_transactions.csv: 5,000 customers acquired in
// Q1 2024 and followed for 78 weeks, simulated by clv itself from the BG/NBD purchase story and the
// Gamma-Gamma spend model with parameters of the size Fader, Hardie & Lee found on CDNOW (weekly).
// Run without arguments it regenerates the file in memory and checks that the shipped one is
// identical; with a path it writes the log there.
#include <clv/data/simulate_transactions.hpp>
#include <clv/io/dates.hpp>

#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>

int main(int argc, char** argv) {
    clv::transaction_log_settings settings;
    settings.customers = 5000;
    settings.first_day = 19723;        // 2024-01-01
    settings.acquisition_days = 91;    // Q1 2024
    settings.end_day = 19723 + 545;    // 2025-06-29: 78 weeks after the first possible purchase
    settings.seed = 20240101;
    std::ostringstream csv;
    csv << "customer_id,date,amount\n" << std::fixed << std::setprecision(2);
    for (const auto& t : clv::simulate_transaction_log(settings))
        csv << t.customer_id << ',' << clv::io::iso_date(t.day) << ',' << t.amount << '\n';

    if (argc > 1) {
        std::ofstream(argv[1]) << csv.str();
        std::cout << "wrote " << argv[1] << '\n';
        return 0;
    }
    std::ifstream shipped(CLV_EXAMPLE_DATA "/demo_transactions.csv");
    std::stringstream existing;
    existing << shipped.rdbuf();
    if (existing.str() != csv.str()) {
        std::cerr << "examples/data/demo_transactions.csv differs from what the generator writes\n";
        return 1;
    }
    std::cout << "examples/data/demo_transactions.csv is what the generator writes\n";
    return 0;
}
