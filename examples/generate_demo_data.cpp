// Writes the demo data in examples/data, simulated by clv itself with effects that are known, so
// that the demo report shows every analysis and the tests know what it must find:
//   demo_transactions.csv  customer_id,date,amount,category: 5,000 customers acquired in Q1 2024 and
//                          followed for 78 weeks, from the BG/NBD purchase story (Fader, Hardie & Lee
//                          2005) with Gamma-Gamma spend, with parameters of the size FHL found on CDNOW
//                          (weekly: r = 0.243, alpha = 4.414, a = 0.793, spend p = 6.25, q = 3.74,
//                          gamma = 15.44), and these effects:
//                          - acquisition channel changes the purchase rate: alpha is divided by 1.4
//                            for "web", 1 for "store", 0.6 for "partner" (mean rate r / alpha);
//                          - satisfaction goes with dropout: b (mean dropout a / (a + b) after each
//                            purchase) is 1.0 for customers with satisfaction 1-2, 2.4 for 3, 4.5 for 4-5;
//                          - categories: each customer has a main interest (music, books or games)
//                            bought on 60 % of lines; "games" customers buy "electronics" on 30 % of
//                            lines, the others on 5 %; the remaining lines are any category.
//   demo_attributes.csv    customer_id,channel,region,age_band: channel as above; region and age
//                          band are drawn independently of everything (no effect: a control).
//   demo_survey.csv        customer_id,satisfaction,recommend,brand_preference for the 60 % of the
//                          customers who answered: satisfaction 1-5 (the band above), recommend 0-10
//                          = 2 x satisfaction + noise, brand_preference 1-5 = satisfaction + noise.
// Run without arguments it regenerates the files in memory and checks that the shipped ones are
// identical; with a folder it writes the files there.
#include <clv/data/simulate_transactions.hpp>
#include <clv/io/dates.hpp>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

namespace {

constexpr std::size_t customers = 5000;
constexpr std::array<const char*, 3> channels{"web", "store", "partner"};
constexpr std::array<double, 3> channel_rate{1.4, 1.0, 0.6};
constexpr std::array<double, 3> channel_share{0.5, 0.3, 0.2};
constexpr std::array<double, 3> band_b{1.0, 2.4, 4.5};  // satisfaction 1-2, 3, 4-5
constexpr std::array<double, 3> band_share{0.25, 0.35, 0.40};
constexpr std::array<const char*, 4> regions{"North", "South", "East", "West"};
constexpr std::array<const char*, 3> age_bands{"18-34", "35-54", "55+"};
constexpr std::array<const char*, 3> interests{"music", "books", "games"};
constexpr std::array<const char*, 5> categories{"music", "books", "games", "electronics", "home"};

struct customer {
    std::size_t channel = 0, band = 0, interest = 0;
    int satisfaction = 0;
};

std::size_t draw(std::mt19937_64& rng, const std::array<double, 3>& shares) {
    const double u = std::uniform_real_distribution<double>(0, 1)(rng);
    return u < shares[0] ? 0 : u < shares[0] + shares[1] ? 1 : 2;
}

std::string id_of(std::size_t c) { return "C" + std::to_string(100000 + c); }

struct demo_files {
    std::string transactions, attributes, survey;
};

demo_files generate() {
    std::mt19937_64 rng(20240101);
    std::vector<customer> people(customers);
    for (auto& p : people) {
        p.channel = draw(rng, channel_share);
        p.band = draw(rng, band_share);
        p.satisfaction = p.band == 0 ? 1 + static_cast<int>(rng() % 2) : p.band == 1 ? 3 : 4 + static_cast<int>(rng() % 2);
        p.interest = rng() % interests.size();
    }
    // One simulation per (channel, satisfaction band) cell: its customers share the cell's parameters.
    std::vector<std::vector<clv::simulated_transaction>> purchases(customers);
    for (std::size_t cell = 0; cell < 9; ++cell) {
        std::vector<std::size_t> members;
        for (std::size_t c = 0; c < customers; ++c)
            if (people[c].channel == cell / 3 && people[c].band == cell % 3) members.push_back(c);
        if (members.empty()) continue;
        clv::transaction_log_settings settings;
        settings.customers = members.size();
        settings.first_day = 19723;        // 2024-01-01
        settings.acquisition_days = 91;    // Q1 2024
        settings.end_day = 19723 + 545;    // 2025-06-29: 78 weeks after the first possible purchase
        settings.alpha = 4.414 / channel_rate[cell / 3];
        settings.b = band_b[cell % 3];
        settings.seed = 20240101 + cell;
        for (auto& t : clv::simulate_transaction_log(settings)) {
            const std::size_t c = members[std::stoul(t.customer_id.substr(1)) - 100000];
            t.customer_id = id_of(c);
            purchases[c].push_back(std::move(t));
        }
    }
    demo_files out;
    std::ostringstream log, attributes, survey;
    log << "customer_id,date,amount,category\n" << std::fixed << std::setprecision(2);
    std::uniform_real_distribution<double> uniform(0, 1);
    for (std::size_t c = 0; c < customers; ++c) {
        const auto& p = people[c];
        for (const auto& t : purchases[c]) {
            const double u = uniform(rng), electronics = p.interest == 2 ? 0.3 : 0.05;
            const char* category = u < 0.6 ? interests[p.interest]
                                   : u < 0.6 + electronics ? "electronics"
                                                           : categories[rng() % categories.size()];
            log << t.customer_id << ',' << clv::io::iso_date(t.day) << ',' << t.amount << ',' << category << '\n';
        }
    }
    attributes << "customer_id,channel,region,age_band\n";
    survey << "customer_id,satisfaction,recommend,brand_preference\n";
    std::normal_distribution<double> noise(0, 1);
    for (std::size_t c = 0; c < customers; ++c) {
        const auto& p = people[c];
        attributes << id_of(c) << ',' << channels[p.channel] << ',' << regions[rng() % regions.size()] << ','
                   << age_bands[rng() % age_bands.size()] << '\n';
        const bool answered = uniform(rng) < 0.6;
        const int recommend = std::clamp(static_cast<int>(std::lround(2 * p.satisfaction + 1.5 * noise(rng))), 0, 10);
        const int preference = std::clamp(static_cast<int>(std::lround(p.satisfaction + noise(rng))), 1, 5);
        if (answered) survey << id_of(c) << ',' << p.satisfaction << ',' << recommend << ',' << preference << '\n';
    }
    return {log.str(), attributes.str(), survey.str()};
}

}  // namespace

int main(int argc, char** argv) {
    const demo_files files = generate();
    const std::map<std::string, const std::string*> named{
        {"demo_transactions.csv", &files.transactions}, {"demo_attributes.csv", &files.attributes}, {"demo_survey.csv", &files.survey}};
    if (argc > 1) {
        const std::filesystem::path folder = argv[1];
        std::filesystem::create_directories(folder);
        for (const auto& [name, text] : named) {
            std::ofstream(folder / name, std::ios::binary) << *text;
            std::cout << "wrote " << (folder / name).string() << '\n';
        }
        return 0;
    }
    int differing = 0;
    for (const auto& [name, text] : named) {
        std::ifstream shipped(std::filesystem::path(CLV_EXAMPLE_DATA) / name, std::ios::binary);
        std::stringstream existing;
        existing << shipped.rdbuf();
        if (existing.str() != *text) {
            std::cerr << "examples/data/" << name << " differs from what the generator writes\n";
            ++differing;
        }
    }
    if (differing == 0) std::cout << "examples/data holds what the generator writes\n";
    return differing == 0 ? 0 : 1;
}
