// The report document: structure, escaping of user text, no external references, atomic writing;
// and the customer report built end to end on the demo data, whose simulated effects are known.
#include <clv/analysis/customer_report.hpp>
#include <clv/io/customer_report_html.hpp>
#include <clv/io/dates.hpp>
#include <clv/io/html_report.hpp>

#include "temp_file.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>

namespace {

std::size_t occurrences(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
    return n;
}

/// src/href values that leave the file (a scheme or a network path): none may appear.
bool has_external_reference(const std::string& html) {
    static const std::regex external(R"re((?:src|href)\s*=\s*["']?\s*(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//))re");
    return std::regex_search(html, external) || html.find("@import") != std::string::npos ||
           html.find("url(") != std::string::npos || html.find("<script") != std::string::npos ||
           html.find("<link") != std::string::npos;
}

clv::io::report_page sample_page(const std::string& user_text) {
    clv::io::report_page page;
    page.title = "Report for " + user_text;
    page.subtitle = "sub";
    page.key_figures = {{"Customers", clv::io::format_count(2357)}, {user_text, "1"}};
    clv::io::report_section first{"first", "First section", "Read it like this.", {}, {"a note about " + user_text}};
    first.blocks.push_back(clv::io::paragraph("Customer " + user_text + " bought."));
    first.blocks.push_back(clv::io::render_table({"caption " + user_text, {"customer", "value"}, {false, true}, {{user_text, "12.3"}, {"C2"}}}));
    clv::svg::frame f;
    f.title = "Chart of " + user_text;
    first.blocks.push_back(clv::io::figure(clv::svg::bar_chart(f, {user_text}, {{"s", {1}}})));
    page.sections.push_back(first);
    page.sections.push_back({"", "Second", "", {}, {}});
    page.left_out = {"Survey: none given."};
    page.footer = "footer";
    return page;
}

}  // namespace

TEST_CASE("the page has a head, a table of contents, every section with its guide, and no external references") {
    const std::string html = clv::io::render_page(sample_page("plain"));
    CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
    CHECK(html.find("<meta charset=\"utf-8\">") != std::string::npos);
    CHECK(html.find("<style>") != std::string::npos);
    CHECK(html.find("@media print") != std::string::npos);
    CHECK(html.find("<nav class=\"toc\">") != std::string::npos);
    CHECK(html.find("<a href=\"#first\">First section</a>") != std::string::npos);
    CHECK(html.find("<section id=\"section-2\">") != std::string::npos);  // a section without id gets one
    CHECK(html.find("<p class=\"how\">Read it like this.</p>") != std::string::npos);
    CHECK(html.find("Sections left out") != std::string::npos);
    CHECK(html.find("<td class=\"num\">12.3</td>") != std::string::npos);
    CHECK(html.find("<tr><td>C2</td><td class=\"num\"></td></tr>") != std::string::npos);  // short rows padded
    CHECK(occurrences(html, "<section") == occurrences(html, "</section>"));
    CHECK(occurrences(html, "<svg") == 1);
    CHECK(!has_external_reference(html));
    CHECK(html.substr(html.size() - 8) == "</html>\n");
}

TEST_CASE("user text (customer ids, column names, file names) is escaped everywhere it appears") {
    const std::string hostile = R"(<img src="http://x/y.png" onerror='alert(1)'> & "co")";
    const std::string html = clv::io::render_page(sample_page(hostile));
    CHECK(html.find("<img") == std::string::npos);
    CHECK(html.find("http://x") != std::string::npos);  // present as text ...
    CHECK(!has_external_reference(html));                // ... but never as an attribute
    const std::string escaped = "&lt;img src=&quot;http://x/y.png&quot; onerror=&#39;alert(1)&#39;&gt; &amp; &quot;co&quot;";
    CHECK(occurrences(html, escaped) >= 7);  // title, heading, tile, note, paragraph, caption, cell, chart
}

TEST_CASE("a table row with more cells than columns is refused") {
    CHECK_THROWS_AS(clv::io::render_table({"t", {"a"}, {}, {{"1", "2"}}}), clv::invalid_input);
}

TEST_CASE("the page is written atomically and completely") {
    const clv_test::temp_file file("report.html", "old content");
    const auto& path = file.path();
    clv::io::write_report_page(path, sample_page("x"));
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    CHECK(text.str() == clv::io::render_page(sample_page("x")));
    CHECK_THROWS_AS(clv::io::write_report_page(path.parent_path(), sample_page("x")), clv::invalid_input);  // a folder
}

// The demo data were simulated with known effects (examples/generate_demo_data.cpp): the channel
// changes the purchase rate (web 1.4x, store 1x, partner 0.6x), satisfaction lowers dropout, and
// "games" buyers buy "electronics" six times as often as others; region is drawn independently of
// everything. The report's analyses must find each effect in its direction and not invent one.
static const clv::customer_report& demo_report() {  // built once: doctest reruns the test case per subcase
    static const clv::customer_report r = [] {
        const auto data = std::filesystem::path(__FILE__).parent_path().parent_path() / "examples" / "data";
        clv::customer_report_settings s;
        s.transactions = data / "demo_transactions.csv";
        s.log.customer_column = "customer_id";
        s.log.date_column = "date";
        s.log.amount_column = "amount";
        s.log.summary.unit_days = 7;
        s.log.summary.calibration_end = clv::io::parse_iso_date("2024-09-29", "calibration end", clv::source_location{"test"});
        s.product_column = "category";
        s.attributes = data / "demo_attributes.csv";
        s.survey = data / "demo_survey.csv";
        s.contractual = data / "demo_subscriptions.csv";
        s.contract_period = clv::time_unit::parse("month");
        s.margin_per_period = 9.5;
        return clv::build_customer_report(s);
    }();
    return r;
}

TEST_CASE("on the demo data the report finds the simulated effects") {
    const clv::customer_report& r = demo_report();
    REQUIRE(r.customers.size() == 5000);
    CHECK(r.transaction_model.converged);

    SUBCASE("channel: partner customers buy slowest, so fewer are among the top and more are still active") {
        // In the BG/NBD story a customer drops out after a geometric number of purchases whatever
        // the rate: a faster buyer reaches the end sooner. So after 78 weeks the slow partner
        // customers are the most often still active, and the fewest among the most valuable.
        REQUIRE(r.cohorts_by_attribute);
        CHECK(r.cohort_attribute == "channel");
        std::map<std::string, clv::stats::mean_estimate> alive;
        for (const auto& row : r.cohorts_by_attribute->rows) alive[row.cohort] = row.probability_alive;
        CHECK(alive["partner"].lower > alive["web"].upper);
        REQUIRE(r.top_profile);
        for (const auto& row : r.top_profile->attributes.categorical)
            if (row.attribute == "channel" && row.level == "partner") CHECK(row.difference.upper < 0);
        REQUIRE(r.churn_drivers);  // region was drawn independently of everything: no large odds ratio
        for (const auto& term : r.churn_drivers->model.terms)
            if (term.name.rfind("region=", 0) == 0) CHECK(std::abs(std::log(term.odds_ratio)) < 0.35);
    }
    SUBCASE("satisfaction: goes with future purchases and value, and with the other scores") {
        // Satisfied customers drop out less, so they are expected to buy more. P(alive) does not
        // show it: BG/NBD gives P(alive) = 1 to every customer without a repeat purchase.
        std::map<std::string, clv::stats::correlation_estimate> with;
        for (const auto& c : r.score_correlations)
            if (c.first == "satisfaction") with[c.second] = c.estimate;
        CHECK(with["expected purchases next year"].lower > 0);
        CHECK(with["CLV"].lower > 0);
        CHECK(with["recommend"].rho > 0.7);  // simulated as 2 x satisfaction + noise
        CHECK(with["bought in holdout"].lower > 0);  // observed: the satisfied came back more often
        REQUIRE(!r.score_bands.empty());
        const auto& bands = r.score_bands.front();
        REQUIRE(bands.front().score == "satisfaction");
        REQUIRE(bands.size() == 5);
        double low = 0, low_n = 0, high = 0, high_n = 0;  // mean CLV of scores 1-2 and 4-5
        for (const auto& b : bands) {
            const double n = static_cast<double>(b.customers);
            if (b.highest <= 2) low += n * b.value.mean, low_n += n;
            if (b.lowest >= 4) high += n * b.value.mean, high_n += n;
        }
        CHECK(high / high_n > 1.2 * low / low_n);
    }
    SUBCASE("products: games -> electronics is a strong rule, music -> electronics is not") {
        double games = 0, music = 0;
        for (const auto& rule : r.co_purchase) {
            if (rule.antecedent == "games" && rule.consequent == "electronics") games = rule.lift;
            if (rule.antecedent == "music" && rule.consequent == "electronics") music = rule.lift;
        }
        CHECK(games > 1.1);
        CHECK(games > music);
        REQUIRE(!r.cross_sell.empty());
    }
    SUBCASE("subscriptions: the sBG truth (alpha 0.8, beta 4) found, valued at the report's rate over one month") {
        REQUIRE(r.retention);
        const auto& c = *r.retention;
        REQUIRE(c.fit.converged);
        CHECK(std::abs(c.fit.params.alpha - 0.8) < 2.5 * c.fit.std_errors[0]);
        CHECK(std::abs(c.fit.params.beta - 4.0) < 2.5 * c.fit.std_errors[1]);
        CHECK(c.discount_rate == doctest::Approx(std::pow(1.1, 1.0 / 12) - 1).epsilon(1e-9));  // 10 % a year, monthly
        CHECK(r.retention_cohorts.size() == 4);
        CHECK(c.total_value == doctest::Approx(9.5 * c.total_derl));
    }
    SUBCASE("growth: the new customers are valued like the latest acquisition month's customers") {
        REQUIRE(r.growth);
        const auto& newcomers = r.growth->levers.front();
        CHECK(newcomers.change == "+500 customers like the 2024-03 cohort");  // the demo acquires in Q1 2024
        const auto& latest = r.cohorts.rows.back();
        REQUIRE(latest.cohort == "2024-03");
        CHECK(newcomers.difference == doctest::Approx(500 * latest.clv.mean).epsilon(1e-9));
    }
    SUBCASE("cohorts: the observed retention of each acquisition month is the share who bought in the holdout") {
        REQUIRE(!r.cohorts.rows.empty());
        double retained = 0, customers = 0;
        for (const auto& row : r.cohorts.rows) {
            REQUIRE(std::isfinite(row.retention.estimate));
            retained += row.retention.estimate * static_cast<double>(row.customers);
            customers += static_cast<double>(row.customers);
        }
        REQUIRE(r.calibration);
        double bought = 0;
        for (double x : r.calibration->frequency_holdout) bought += x > 0 ? 1 : 0;
        CHECK(retained == doctest::Approx(bought));
    }
    SUBCASE("the page shows every section and escapes nothing it should not") {
        const std::string html = clv::io::render_page(clv::io::customer_report_page(r));
        for (const char* id : {"models", "holdout", "histogram", "tracking", "matrices", "value", "churn", "cohorts", "retention",
                               "growth", "potential", "satisfaction"})
            CHECK(html.find("<section id=\"" + std::string(id) + "\">") != std::string::npos);
        CHECK(!has_external_reference(html));
        CHECK(occurrences(html, "<svg") >= 16);
    }
}
