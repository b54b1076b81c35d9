#include <clv/io/transaction_log.hpp>

#include "temp_file.hpp"
#include "test_support.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>
#include <random>
#include <string>
#include <tuple>
#include <vector>

using clv::invalid_input;
using clv::io::day_number;
using clv_test::temp_file;

namespace {

// The CDNOW sample as BTYD and lifetimes summarize it (README of the shared data, steps 1-7).
clv::summarize_options cdnow_options() {
    clv::summarize_options options;
    options.customer_column = "2";
    options.date_column = "3";
    options.amount_column = "5";
    options.date_format = "%Y%m%d";
    options.csv.whitespace = true;
    options.csv.header = false;
    options.summary.unit_days = clv::days_per_week;
    options.summary.calibration_end = day_number(1997, 9, 30);
    options.summary.observation_end = day_number(1998, 6, 30);
    return options;
}

// Columns of a reference CSV file by header name.
std::map<std::string, std::vector<std::string>> read_columns(const std::filesystem::path& path) {
    clv::io::csv_reader reader(path);
    std::map<std::string, std::vector<std::string>> columns;
    clv::io::csv_row row;
    while (reader.next(row)) {
        for (std::size_t i = 0; i < row.size(); ++i) columns[reader.columns()[i]].emplace_back(row[i]);
    }
    return columns;
}

double number(const std::string& text) { return clv::io::parse_number(text, "reference", clv::source_location{}); }

std::string error_of(const std::filesystem::path& path, const clv::summarize_options& options) {
    try {
        (void)clv::summarize_transactions(path, options);
    } catch (const invalid_input& e) {
        return e.what();
    }
    return "no error";
}

bool same_table(const clv::customer_table& a, const clv::customer_table& b) {
    return a.ids == b.ids && a.frequency == b.frequency && a.recency == b.recency && a.T == b.T &&
           a.monetary_value == b.monetary_value && a.frequency_holdout == b.frequency_holdout &&
           a.monetary_value_holdout == b.monetary_value_holdout && a.duration_holdout == b.duration_holdout;
}

}  // namespace

TEST_CASE("CDNOW sample: every customer matches BTYD's cdnowSummary$cbs at full precision") {
    const auto log = clv_test::shared_data("cdnow/CDNOW_sample.txt");
    const auto cbs_path = clv_test::shared_data("cdnow/cdnow_btyd_cbs.csv");
    if (!log || !cbs_path) return;
    const clv::customer_table table = clv::summarize_transactions(*log, cdnow_options());
    auto cbs = read_columns(*cbs_path);
    REQUIRE(table.size() == 2357);
    REQUIRE(cbs["cust"].size() == 2357);
    REQUIRE(table.has_holdout());
    auto close = [](double got, double expected) {
        return std::abs(got - expected) <= 1e-9 * std::max(1.0, std::abs(expected));
    };
    std::size_t mismatches = 0;
    double repeat_sum = 0, holdout_sum = 0;
    std::size_t repeaters = 0;
    for (std::size_t i = 0; i < table.size(); ++i) {
        // Same customers in the same order (first appearance in the log = BTYD's order).
        const bool ok = number(table.ids[i]) == number(cbs["cust"][i]) && close(table.frequency[i], number(cbs["x"][i])) &&
                        close(table.recency[i], number(cbs["t.x"][i])) && close(table.T[i], number(cbs["T.cal"][i])) &&
                        close(table.frequency_holdout[i], number(cbs["x.star"][i])) &&
                        close(table.monetary_value[i], number(cbs["m.x"][i])) && table.duration_holdout[i] == 39.0;
        if (!ok && ++mismatches <= 5) MESSAGE("customer " << table.ids[i] << " differs");
        repeat_sum += table.frequency[i];
        holdout_sum += table.frequency_holdout[i];
        repeaters += table.frequency[i] > 0;
    }
    CHECK(mismatches == 0);
    CHECK(repeat_sum == 2457);  // figures stated in the data README
    CHECK(repeaters == 946);
    CHECK(holdout_sum == 1882);
    CHECK(table.recency[0] == doctest::Approx(30.43).epsilon(0.005 / 30.43));  // FHL (2005) customer 1: 2, 30.43, 38.86
}

TEST_CASE("CDNOW sample: agrees with lifetimes' cdnow_customers_summary.csv to its 2 printed decimals") {
    const auto log = clv_test::shared_data("cdnow/CDNOW_sample.txt");
    const auto summary_path = clv_test::shared_data("cdnow/cdnow_customers_summary.csv");
    if (!log || !summary_path) return;
    const clv::customer_table table = clv::summarize_transactions(*log, cdnow_options());
    auto summary = read_columns(*summary_path);
    REQUIRE(summary["ID"].size() == table.size());
    double worst = 0;
    for (std::size_t i = 0; i < table.size(); ++i) {
        REQUIRE(number(summary["ID"][i]) == number(table.ids[i]));
        worst = std::max({worst, std::abs(table.frequency[i] - number(summary["frequency"][i])),
                          std::abs(table.recency[i] - number(summary["recency"][i])),
                          std::abs(table.T[i] - number(summary["T"][i]))});
    }
    CHECK(worst <= 0.005 + 1e-12);
}

TEST_CASE("same-day purchases are one transaction; monetary value is the mean of the repeat days") {
    // Worked by hand: days 0 (10 + 5), 4 (20), 9 (30); observation ends on day 19.
    const temp_file file("hand.csv", "id,date,amount\n"
                                     "a,2020-01-01,10\n"
                                     "a,2020-01-01,5\n"
                                     "b,2020-01-03,7\n"
                                     "a,2020-01-05,20\n"
                                     "a,2020-01-10,12.5\n"
                                     "a,2020-01-10,17.5\n");
    clv::summarize_options options;
    options.customer_column = "id";
    options.date_column = "date";
    options.amount_column = "amount";
    options.summary.observation_end = day_number(2020, 1, 20);
    const auto table = clv::summarize_transactions(file.path(), options);
    REQUIRE(table.size() == 2);
    CHECK(table.ids == std::vector<std::string>{"a", "b"});
    CHECK(table.frequency == std::vector<double>{2, 0});
    CHECK(table.recency == std::vector<double>{9, 0});
    CHECK(table.T == std::vector<double>{19, 17});
    CHECK(table.monetary_value == std::vector<double>{25, 0});  // (20 + 30) / 2; first day left out
    CHECK_FALSE(table.has_holdout());

    SUBCASE("default observation end is the last date in the log") {
        options.summary.observation_end.reset();
        const auto t = clv::summarize_transactions(file.path(), options);
        CHECK(t.T == std::vector<double>{9, 7});
    }
    SUBCASE("rows after the observation end are ignored; customers first seen after it are absent") {
        options.summary.observation_end = day_number(2020, 1, 5);
        const auto t = clv::summarize_transactions(file.path(), options);
        CHECK(t.frequency == std::vector<double>{1, 0});
        CHECK(t.monetary_value == std::vector<double>{20, 0});
        options.summary.observation_end = day_number(2020, 1, 2);
        CHECK(clv::summarize_transactions(file.path(), options).ids == std::vector<std::string>{"a"});
    }
    SUBCASE("time units: weeks are days / 7, months are days / (365.25 / 12)") {
        options.summary.unit_days = clv::parse_time_unit("week");
        CHECK(clv::summarize_transactions(file.path(), options).T == std::vector<double>{19.0 / 7, 17.0 / 7});
        options.summary.unit_days = clv::parse_time_unit("month");
        CHECK(clv::summarize_transactions(file.path(), options).T == std::vector<double>{19 / 30.4375, 17 / 30.4375});
        options.summary.unit_days = clv::parse_time_unit("2.5");
        CHECK(clv::summarize_transactions(file.path(), options).recency == std::vector<double>{9 / 2.5, 0});
    }
    SUBCASE("a grouping period of 7 days merges purchases in the same block of days since 1970-01-01") {
        // 2020-01-01 is day 18262 = 7 * 2608 + 6: blocks [18256, 18262], [18263, 18269], [18270, 18276].
        // a buys in blocks 2608, 2609, 2610 -> 2 repeats; observation end day 18281 is in block 2611.
        options.summary.period_days = 7;
        const auto t = clv::summarize_transactions(file.path(), options);
        CHECK(t.frequency == std::vector<double>{2, 0});
        CHECK(t.recency == std::vector<double>{14, 0});  // 2 blocks of 7 days
        CHECK(t.T == std::vector<double>{21, 14});
        CHECK(t.monetary_value == std::vector<double>{25, 0});
    }
    SUBCASE("without an amount column monetary values are 0") {
        options.amount_column.clear();
        CHECK(clv::summarize_transactions(file.path(), options).monetary_value == std::vector<double>{0, 0});
    }
}

TEST_CASE("calibration and holdout split as lifetimes' calibration_and_holdout_data") {
    // c: days 0, 2 (cal), 6, 6, 8 (holdout); d: first purchase in the holdout -> excluded.
    const std::vector<std::tuple<std::string, std::int64_t, double>> log{
        {"c", 100, 1}, {"c", 102, 2}, {"d", 105, 9}, {"c", 106, 3}, {"c", 106, 4}, {"c", 108, 5}};
    clv::summary_options options;
    options.calibration_end = 104;
    options.observation_end = 110;
    const auto table = clv::summarize(log, options);
    REQUIRE(table.size() == 1);
    CHECK(table.frequency[0] == 1);
    CHECK(table.recency[0] == 2);
    CHECK(table.T[0] == 4);
    CHECK(table.monetary_value[0] == 2);
    CHECK(table.frequency_holdout[0] == 2);
    CHECK(table.monetary_value_holdout[0] == 6);  // (3 + 4 + 5) / 2 days
    CHECK(table.duration_holdout[0] == 6);

    options.observation_end = 103;
    CHECK_THROWS_WITH_AS(clv::summarize(log, options), doctest::Contains("is after the observation end"), invalid_input);
    options.observation_end.reset();
    options.calibration_end = 99;
    CHECK_THROWS_WITH_AS(clv::summarize(log, options), doctest::Contains("no customer made a first purchase on or before 1970-04-10"),
                         invalid_input);
}

TEST_CASE("an unsorted log gives the same summary as the sorted one") {
    const auto log_path = clv_test::shared_data("cdnow/CDNOW_sample.txt");
    if (!log_path) return;
    const auto options = cdnow_options();
    const auto from_file = clv::summarize_transactions(*log_path, options);

    std::vector<std::tuple<std::string, std::int64_t, double>> log;
    {
        clv::io::csv_reader reader(*log_path, options.csv);
        const clv::io::date_format format("%Y%m%d");
        clv::io::csv_row row;
        while (reader.next(row)) {
            log.emplace_back(std::string(row[1]), format.parse(row[2], "date", row.where(2)),
                             clv::io::parse_number(row[4], "amount", row.where(4)));
        }
    }
    CHECK(same_table(clv::summarize(log, options.summary), from_file));

    // Shuffle each customer's rows among that customer's positions: first appearances (the output
    // order) stay, but most customers' dates now come out of order.
    std::mt19937 random(20240611);
    std::map<std::string, std::vector<std::size_t>> positions;
    for (std::size_t i = 0; i < log.size(); ++i) positions[std::get<0>(log[i])].push_back(i);
    auto shuffled = log;
    for (auto& [id, where] : positions) {
        auto order = where;
        std::shuffle(order.begin(), order.end(), random);
        for (std::size_t k = 0; k < where.size(); ++k) shuffled[where[k]] = log[order[k]];
    }
    REQUIRE(shuffled != log);
    const auto table = clv::summarize(shuffled, options.summary);
    CHECK(table.frequency == from_file.frequency);
    CHECK(table.recency == from_file.recency);
    CHECK(table.T == from_file.T);
    CHECK(table.frequency_holdout == from_file.frequency_holdout);
    for (std::size_t i = 0; i < table.size(); ++i) {  // sums in another order: equal to rounding
        REQUIRE(table.monetary_value[i] == doctest::Approx(from_file.monetary_value[i]).epsilon(1e-12));
        REQUIRE(table.monetary_value_holdout[i] == doctest::Approx(from_file.monetary_value_holdout[i]).epsilon(1e-12));
    }

    // The same through a file: the streaming reader reads it twice.
    std::string text = "id,date,amount\n";
    for (const auto& [id, day, amount] : shuffled) {
        text += id + "," + clv::io::iso_date(day) + "," + clv::to_message_string(amount) + "\n";
    }
    const temp_file file("shuffled.csv", text);
    clv::summarize_options csv_options;
    csv_options.customer_column = "id";
    csv_options.date_column = "date";
    csv_options.amount_column = "amount";
    csv_options.summary = options.summary;
    CHECK(clv::summarize_transactions(file.path(), csv_options).frequency == from_file.frequency);
}

TEST_CASE("bad transaction logs are invalid_input naming the file, line, column and value") {
    clv::summarize_options options;
    options.customer_column = "id";
    options.date_column = "date";
    options.amount_column = "amount";
    auto check_error = [&](const std::string& name, const std::string& content, const std::string& where,
                           const std::string& value) {
        CAPTURE(name);
        const temp_file file(name, content);
        const std::string message = error_of(file.path(), options);
        CAPTURE(message);
        CHECK(message.find(file.name() + where) != std::string::npos);
        CHECK(message.find(value) != std::string::npos);
    };
    check_error("negative.csv", "id,date,amount\na,2020-01-01,10\na,2020-01-02,-5\n", ":3:3", "'-5'");
    check_error("nan.csv", "id,date,amount\na,2020-01-01,10\na,2020-01-02,NaN\n", ":3:3", "'NaN'");
    check_error("text_amount.csv", "id,date,amount\na,2020-01-01,abc\n", ":2:3", "'abc'");
    check_error("bad_date.csv", "id,date,amount\na,2020-01-01,10\nb,2020-13-45,7\n", ":3:2", "'2020-13-45'");
    check_error("leap.csv", "id,date,amount\na,2021-02-29,10\n", ":2:2", "'2021-02-29'");
    check_error("ragged.csv", "id,date,amount\na,2020-01-01,10\nb,2020-01-02\n", ":3", "2 fields");
    check_error("quote.csv", "id,date,amount\na,2020-01-01,10\n\"b,2020-01-02,7\n", ":3:1", "unterminated");
    check_error("empty.csv", "", ": empty file", "no header/no data");
    check_error("header_only.csv", "id,date,amount\n", ": no data rows", "");
    check_error("empty_id.csv", "id,date,amount\n,2020-01-01,1\n", ":2", "empty customer id");
    options.date_column = "when";
    check_error("missing_column.csv", "id,date,amount\na,2020-01-01,10\n", ": field 'column'", "(value 'when')");
}

TEST_CASE("in-memory logs: bad amounts name the row; options are checked") {
    using log_t = std::vector<std::tuple<std::string, std::int64_t, double>>;
    CHECK_THROWS_WITH_AS(clv::summarize(log_t{{"a", 1, 1.0}, {"a", 2, std::nan("")}}),
                         doctest::Contains("transactions, row 2: field 'amount'"), invalid_input);
    CHECK_THROWS_WITH_AS(clv::summarize(log_t{{"a", 1, -1.0}}), doctest::Contains("(value '-1')"), invalid_input);
    CHECK_THROWS_WITH_AS(clv::summarize(log_t{}), doctest::Contains("no transactions"), invalid_input);
    clv::summary_options bad;
    bad.unit_days = 0;
    CHECK_THROWS_AS(clv::summarize(log_t{{"a", 1, 1.0}}, bad), invalid_input);
    CHECK_THROWS_WITH_AS(clv::parse_time_unit("fortnight"), doctest::Contains("fortnight"), invalid_input);
    CHECK_THROWS_AS(clv::parse_time_unit("-7"), invalid_input);
}

TEST_CASE("same-day amounts whose sum overflows are rejected at the row that overflows (issue 9, section 4)") {
    const temp_file file("overflow.csv", "id,date,amount\n"
                                         "a,2020-01-01,1\n"
                                         "a,2020-01-02,1e308\n"
                                         "a,2020-01-02,1.5e308\n"
                                         "b,2020-01-03,1\n");
    clv::summarize_options options;
    options.customer_column = "id";
    options.date_column = "date";
    options.amount_column = "amount";
    const std::string message = error_of(file.path(), options);
    CAPTURE(message);
    CHECK(message.find(file.name() + ":4:3") != std::string::npos);
    CHECK(message.find("'1.5e+308'") != std::string::npos);
    CHECK(message.find("customer 'a'") != std::string::npos);

    SUBCASE("the same row is named when the log is out of order (rows kept, then reduced)") {
        const temp_file shuffled("overflow_shuffled.csv", "id,date,amount\n"
                                                          "a,2020-01-02,1e308\n"
                                                          "b,2020-01-03,1\n"
                                                          "a,2020-01-01,1\n"
                                                          "a,2020-01-02,1.5e308\n");
        const std::string again = error_of(shuffled.path(), options);
        CAPTURE(again);
        CHECK(again.find(shuffled.name() + ":5:3") != std::string::npos);
        CHECK(again.find("'1.5e+308'") != std::string::npos);
    }
    SUBCASE("a repeat-spend total over several days that overflows is rejected too, never written as inf") {
        const temp_file days("overflow_days.csv", "id,date,amount\n"
                                                  "a,2020-01-01,1\n"
                                                  "a,2020-01-02,1e308\n"
                                                  "a,2020-01-03,1e308\n");
        CHECK(error_of(days.path(), options).find(days.name() + ":4:3") != std::string::npos);
    }
}

namespace {

// A log with refunds, worked by hand for each policy. Day 0 is 2020-01-01.
// a: day 0 +10; day 2 +20 -20 (net 0); day 4 +30 -5 (net 25); day 6 -8 (refund only).
// b: day 1 -5 only. c: day 1, amount 0 (a free order, no refund).
const std::vector<std::tuple<std::string, std::int64_t, double>> refund_log{
    {"a", 18262, 10}, {"a", 18264, 20}, {"b", 18263, -5}, {"c", 18263, 0}, {"a", 18264, -20},
    {"a", 18266, 30}, {"a", 18266, -5}, {"a", 18268, -8}};

clv::summary_options refund_options(clv::negative_amounts policy) {
    clv::summary_options options;
    options.observation_end = 18271;  // 2020-01-10: day 9
    options.negative = policy;
    return options;
}

// The log's rows in another order, each customer's rows reversed (so out of date order).
template <class Log>
Log reversed_per_customer(Log log) {
    std::reverse(log.begin(), log.end());
    return log;
}

}  // namespace

TEST_CASE("negative amounts (refunds): error by default, or dropped, or netted into their day (issue 9, section 6)") {
    using clv::negative_amounts;
    CHECK_THROWS_WITH_AS(clv::summarize(refund_log, refund_options(negative_amounts::error)),
                         doctest::Contains("transactions, row 3: field 'amount': negative amount"), invalid_input);
    CHECK_THROWS_WITH_AS(clv::summarize(refund_log, refund_options(negative_amounts::error)),
                         doctest::Contains("drop or net"), invalid_input);
    CHECK(clv::parse_negative_amounts("net") == negative_amounts::net);
    CHECK_THROWS_WITH_AS(clv::parse_negative_amounts("ignore"), doctest::Contains("error, drop or net"), invalid_input);

    for (const bool reversed : {false, true}) {
        CAPTURE(reversed);
        const auto log = reversed ? reversed_per_customer(refund_log) : refund_log;
        SUBCASE("drop: as if the refund rows were absent") {
            clv::summary_report report;
            const auto t = clv::summarize(log, refund_options(negative_amounts::drop), &report);
            CHECK(t.ids == std::vector<std::string>{"a", "c"});  // b's only row was dropped
            const std::size_t a = 0, c = 1;
            CHECK(t.frequency[a] == 2);       // days 2 and 4
            CHECK(t.recency[a] == 4);
            CHECK(t.monetary_value[a] == 25);  // (20 + 30) / 2
            CHECK(t.frequency[c] == 0);
            CHECK(t.T[c] == 8);
            CHECK(report.negative_rows_dropped == 4);
            CHECK(report.rows_used == 4);
            CHECK(report.periods_netted_out == 0);
        }
        SUBCASE("net: a day netted to <= 0 by a refund is no transaction; a free order still is") {
            clv::summary_report report;
            const auto t = clv::summarize(log, refund_options(negative_amounts::net), &report);
            REQUIRE(t.size() == 2);  // b's only day was a refund: b made no purchase
            const std::size_t a = t.ids[0] == "a" ? 0 : 1, c = 1 - a;
            CHECK(t.ids[c] == "c");
            CHECK(t.frequency[a] == 1);  // day 4 (net 25); day 2 (net 0) and day 6 (-8) cancelled
            CHECK(t.recency[a] == 4);
            CHECK(t.T[a] == 9);
            CHECK(t.monetary_value[a] == 25);
            CHECK(t.frequency[c] == 0);
            CHECK(t.T[c] == 8);
            CHECK(report.periods_netted_out == 3);
            CHECK(report.customers_netted_out == 1);
            CHECK(report.rows_used == 8);
        }
    }
}

TEST_CASE("rows left out by design are counted in the report (issue 9, section 6)") {
    // c: days 0, 2 (cal), 6, 6, 8 (holdout), 12 (after the end); d: first purchase in the holdout.
    const std::vector<std::tuple<std::string, std::int64_t, double>> log{
        {"c", 100, 1}, {"c", 102, 2}, {"d", 105, 9}, {"c", 106, 3}, {"c", 106, 4}, {"d", 107, 1},
        {"c", 108, 5}, {"c", 112, 1}, {"e", 111, 1}};
    clv::summary_options options;
    options.calibration_end = 104;
    options.observation_end = 110;
    for (const bool reversed : {false, true}) {
        clv::summary_report report;
        const auto table = clv::summarize(reversed ? reversed_per_customer(log) : log, options, &report);
        CHECK(table.ids == std::vector<std::string>{"c"});
        CHECK(report.rows_after_observation_end == 2);
        CHECK(report.late_customers == 1);
        CHECK(report.rows_of_late_customers == 2);
        CHECK(report.rows_used == 7);
        CHECK(report.observation_end == 110);
    }
}

TEST_CASE("a log in random order gives the same summary, to the bit, as in date order (issue 8, section 1)") {
    const auto log_path = clv_test::shared_data("cdnow/CDNOW_sample.txt");
    if (!log_path) return;
    auto options = cdnow_options();
    std::vector<std::tuple<std::string, std::int64_t, std::string>> log;  // amounts as text: written back unchanged
    {
        clv::io::csv_reader reader(*log_path, options.csv);
        const clv::io::date_format format("%Y%m%d");
        clv::io::csv_row row;
        while (reader.next(row)) log.emplace_back(std::string(row[1]), format.parse(row[2], "date", row.where(2)), std::string(row[4]));
    }
    // A random order in which rows of the same customer and week keep their relative order (the
    // order in which a period's amounts are added, which floating point sums depend on).
    auto week = [](std::int64_t day) { return day >= 0 ? day / 7 : -((-day + 6) / 7); };
    std::mt19937 random(8);
    std::vector<std::size_t> order(log.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::shuffle(order.begin(), order.end(), random);
    std::map<std::pair<std::string, std::int64_t>, std::vector<std::size_t>> same_day;
    for (std::size_t i = 0; i < log.size(); ++i) same_day[{std::get<0>(log[i]), week(std::get<1>(log[i]))}].push_back(i);
    std::map<std::pair<std::string, std::int64_t>, std::size_t> taken;
    auto write = [&](const std::string& name, bool shuffled) {
        std::string text = "id,date,amount\n";
        for (std::size_t k = 0; k < log.size(); ++k) {
            std::size_t i = k;
            if (shuffled) {
                const auto key = std::make_pair(std::get<0>(log[order[k]]), week(std::get<1>(log[order[k]])));
                i = same_day[key][taken[key]++];
            }
            text += std::get<0>(log[i]) + "," + clv::io::iso_date(std::get<1>(log[i])) + "," + std::get<2>(log[i]) + "\n";
        }
        return temp_file(name, text);
    };
    const temp_file sorted = write("sorted.csv", false);
    const temp_file shuffled = write("shuffled.csv", true);
    clv::summarize_options csv;
    csv.customer_column = "id";
    csv.date_column = "date";
    csv.amount_column = "amount";
    for (const std::int64_t period : {1, 7}) {
        CAPTURE(period);
        csv.summary = options.summary;
        csv.summary.period_days = period;
        clv::summary_report sorted_report, shuffled_report;
        const auto expected = clv::summarize_transactions(sorted.path(), csv, &sorted_report);
        const auto got = clv::summarize_transactions(shuffled.path(), csv, &shuffled_report);
        REQUIRE(expected.size() == 2357);
        CHECK(got.size() == expected.size());
        // Customers come in order of first appearance; compare them by id.
        std::map<std::string, std::size_t> position;
        for (std::size_t i = 0; i < got.size(); ++i) position[got.ids[i]] = i;
        std::size_t differing = 0;
        for (std::size_t i = 0; i < expected.size(); ++i) {
            const std::size_t j = position.at(expected.ids[i]);
            differing += got.frequency[j] != expected.frequency[i] || got.recency[j] != expected.recency[i] ||
                         got.T[j] != expected.T[i] || got.monetary_value[j] != expected.monetary_value[i] ||
                         got.frequency_holdout[j] != expected.frequency_holdout[i] ||
                         got.monetary_value_holdout[j] != expected.monetary_value_holdout[i] ||
                         got.duration_holdout[j] != expected.duration_holdout[i];
        }
        CHECK(differing == 0);
        CHECK(shuffled_report.rows_used == sorted_report.rows_used);
    }
}
