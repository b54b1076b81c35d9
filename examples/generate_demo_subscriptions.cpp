// Writes examples/data/demo_subscriptions.csv, the contractual part of the demo: a monthly
// subscription (say, the shop's membership club) whose members decide at the end of every month
// whether to renew, simulated by clv's own shifted-beta-geometric model (Fader & Hardie 2007) with
// known parameters alpha = 0.8, beta = 4.0 (mean cancellation probability alpha / (alpha + beta) =
// 1/6 a month, heterogeneous across members, so the cohort's renewal rate rises with tenure).
// Four quarterly cohorts joined in January, April, July and October 2024 (800, 600, 700 and 500
// members) and are observed until June 2025: 17, 14, 11 and 8 renewal decisions. The file holds,
// per cohort, the members still active after each month (`period,active,cohort`, the form `clv fit
// --model sbg` and `clv report --contractual` read); the tests check that the fit finds the truth.
// Run without arguments it regenerates the file in memory and checks that the shipped one is
// identical; with a folder it writes the file there.
#include <clv/models/shifted_beta_geometric.hpp>

#include <array>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

struct cohort {
    const char* name;
    std::size_t members;
    double decisions;  ///< renewal decisions observed by June 2025
};
constexpr std::array<cohort, 4> cohorts{{{"2024-01", 800, 17}, {"2024-04", 600, 14}, {"2024-07", 700, 11}, {"2024-10", 500, 8}}};

std::string generate() {
    const clv::shifted_beta_geometric<> truth({0.8, 4.0});
    std::mt19937_64 rng(20240102);
    std::ostringstream out;
    out << "period,active,cohort\n";
    for (const cohort& c : cohorts) {
        const std::vector<double> observed(c.members, c.decisions);
        const clv::contractual_table members = truth.simulate(observed, rng);
        // active after t renewals: cancelled later than t, or still active at the end
        for (int t = 0; t <= static_cast<int>(c.decisions); ++t) {
            std::size_t active = 0;
            for (std::size_t i = 0; i < members.size(); ++i) active += members.churned[i] == 0 || members.tenure[i] > t ? 1 : 0;
            out << t << ',' << active << ',' << c.name << '\n';
        }
    }
    return out.str();
}

}  // namespace

int main(int argc, char** argv) {
    const std::string text = generate();
    const char* name = "demo_subscriptions.csv";
    if (argc > 1) {
        const std::filesystem::path folder = argv[1];
        std::filesystem::create_directories(folder);
        std::ofstream(folder / name, std::ios::binary) << text;
        std::cout << "wrote " << (folder / name).string() << '\n';
        return 0;
    }
    std::ifstream shipped(std::filesystem::path(CLV_EXAMPLE_DATA) / name, std::ios::binary);
    std::stringstream existing;
    existing << shipped.rdbuf();
    if (existing.str() != text) {
        std::cerr << "examples/data/" << name << " differs from what the generator writes\n";
        return 1;
    }
    std::cout << "examples/data/" << name << " holds what the generator writes\n";
    return 0;
}
