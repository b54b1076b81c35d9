// Contractual data: cohort counts -> weighted records, user records through the contractual_record
// concept, and io::read_contractual_csv in both forms, with every bad input naming where it is.
#include <clv/data/contractual.hpp>
#include <clv/io/contractual_csv.hpp>

#include "temp_file.hpp"

#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

using clv::invalid_input;
using clv::io::contractual_form;
using clv::io::read_contractual_csv;
using clv_test::temp_file;

namespace {

std::string error_of(auto&& f) {
    try {
        f();
    } catch (const invalid_input& e) {
        return e.what();
    }
    return "no error";
}

std::string read_error(const temp_file& file, const clv::io::contractual_csv_options& options = {}) {
    return error_of([&] { (void)read_contractual_csv(file.path(), options); });
}

}  // namespace

TEST_CASE("cohort counts become churned rows per period and the survivors censored at the last period") {
    const std::vector<double> active{1000, 631, 468, 468, 0};
    const auto table = clv::cohort_counts_table(active, "2019");
    // 369 churned at 1, 163 at 2, none at 3 (no row), 468 at 4; nobody is left to censor.
    REQUIRE(table.size() == 3);
    CHECK(table.tenure == std::vector<double>{1, 2, 4});
    CHECK(table.churned == std::vector<double>{1, 1, 1});
    CHECK(table.weight == std::vector<double>{369, 163, 468});
    CHECK(table.columns().total_weight() == 1000);
    const auto censored = clv::cohort_counts_table(std::vector<double>{10, 7, 5});
    CHECK(censored.tenure == std::vector<double>{1, 2, 2});
    CHECK(censored.churned == std::vector<double>{1, 1, 0});
    CHECK(censored.weight == std::vector<double>{3, 2, 5});
    table.validate();
}

TEST_CASE("bad cohort counts are rejected with the period and the reason") {
    CHECK(error_of([] { (void)clv::cohort_counts_table(std::vector<double>{100, 80, 90}, "A"); })
              .find("cohort 'A', period 2: field 'active': active counts must not increase") != std::string::npos);
    CHECK(error_of([] { (void)clv::cohort_counts_table(std::vector<double>{100, -1}); }).find("finite number >= 0") != std::string::npos);
    CHECK(error_of([] { (void)clv::cohort_counts_table(std::vector<double>{100, std::nan("")}); }).find("(value 'nan')") != std::string::npos);
    CHECK(error_of([] { (void)clv::cohort_counts_table(std::vector<double>{0, 0}); }).find("cohort size") != std::string::npos);
    CHECK(error_of([] { (void)clv::cohort_counts_table(std::vector<double>{100}); }).find("at least period 1") != std::string::npos);
    CHECK(error_of([] { (void)clv::cohort_counts_table(std::vector<double>{}); }).find("period 0") != std::string::npos);
}

TEST_CASE("records satisfying contractual_record build a table; bad ones name the record and field") {
    struct subscriber {
        int tenure;
        bool churned;
    };
    struct weighted_subscriber {
        double tenure;
        bool churned;
        double weight;
    };
    const std::vector<subscriber> plain{{3, true}, {5, false}};
    const auto table = clv::to_contractual_table(plain);
    CHECK(table.tenure == std::vector<double>{3, 5});
    CHECK(table.churned == std::vector<double>{1, 0});
    CHECK(table.weight == std::vector<double>{1, 1});
    const std::vector<weighted_subscriber> weighted{{2, false, 40}};
    CHECK(clv::to_contractual_table(weighted).weight == std::vector<double>{40});
    const std::vector<subscriber> zero{{1, true}, {0, false}};
    CHECK(error_of([&] { (void)clv::to_contractual_table(zero); }).find("record 2: field 'tenure'") != std::string::npos);
    const std::vector<weighted_subscriber> fractional{{2.5, false, 1}};
    CHECK(error_of([&] { (void)clv::to_contractual_table(fractional); }).find("whole number") != std::string::npos);
    const std::vector<weighted_subscriber> weightless{{2, false, 0}};
    CHECK(error_of([&] { (void)clv::to_contractual_table(weightless); }).find("field 'weight'") != std::string::npos);
}

TEST_CASE("contractual_table::validate checks emptiness, lengths, rows and duplicate ids") {
    clv::contractual_table table;
    CHECK(error_of([&] { table.validate("subs"); }).find("subs: no customers") != std::string::npos);
    table.push_back("a", {2, true, 1});
    table.push_back("a", {3, false, 1});
    CHECK(error_of([&] { table.validate("subs", 2); }).find("subs:3: field 'customer_id': duplicate") != std::string::npos);
    table.ids[1] = "b";
    table.churned[1] = 0.5;
    CHECK(error_of([&] { table.validate(); }).find("row 2: field 'churned'") != std::string::npos);
    table.churned[1] = 0;
    table.weight.pop_back();
    CHECK(error_of([&] { table.validate(); }).find("different lengths") != std::string::npos);
    const std::vector<double> tenure{1, 2}, churned{1};
    CHECK(error_of([&] { clv::contractual_columns{tenure, churned, {}}.validate(); }).find("different lengths") != std::string::npos);
}

TEST_CASE("a period,active file is read as one cohort, with its observed curve") {
    const temp_file file("regular.csv", "period,active\n0,1000\n1,631\n2,468\n3,382\n4,326\n5,289\n6,262\n7,241\n");
    const auto data = read_contractual_csv(file.path());
    CHECK(data.form == contractual_form::cohort_counts);
    REQUIRE(data.cohorts.size() == 1);
    CHECK(data.cohorts[0].active == std::vector<double>{1000, 631, 468, 382, 326, 289, 262, 241});
    CHECK(data.cohorts[0].survival(7) == 0.241);
    CHECK(data.cohorts[0].retention(1) == 0.631);
    CHECK(data.cohorts[0].last_period() == 7);
    CHECK(data.table.size() == 8);
    CHECK(data.table.columns().total_weight() == 1000);
    CHECK(data.table.tenure.back() == 7);
    CHECK(data.table.churned.back() == 0);
    CHECK(data.table.weight.back() == 241);
}

TEST_CASE("several cohorts in one file, interleaved, with renamed columns") {
    const temp_file file("cohorts.csv",
                         "year;customers;start\n0;100;2020\n0;50;2021\n1;60;2020\n1;45;2021\n2;40;2020\n");
    clv::io::contractual_csv_options options;
    options.period_column = "year";
    options.active_column = "customers";
    options.cohort_column = "start";
    options.csv.delimiter = ';';
    const auto data = read_contractual_csv(file.path(), options);
    REQUIRE(data.cohorts.size() == 2);
    CHECK(data.cohorts[0].cohort == "2020");
    CHECK(data.cohorts[0].active == std::vector<double>{100, 60, 40});
    CHECK(data.cohorts[1].cohort == "2021");
    CHECK(data.cohorts[1].active == std::vector<double>{50, 45});
    CHECK(data.table.columns().total_weight() == 150);
    // 2020: 40 churned at 1, 20 at 2, 40 censored at 2; 2021: 5 churned at 1, 45 censored at 1.
    CHECK(data.table.tenure == std::vector<double>{1, 2, 2, 1, 1});
    CHECK(data.table.churned == std::vector<double>{1, 1, 0, 1, 0});
    CHECK(data.table.weight == std::vector<double>{40, 20, 40, 5, 45});
}

TEST_CASE("a tenure,churned file is read one customer a row, with optional weights and ids") {
    const temp_file file("subs.csv", "customer_id,tenure,churned,weight\nx,1,1,3\ny,4,0,1\nz,12,1,2\n");
    const auto data = read_contractual_csv(file.path());
    CHECK(data.form == contractual_form::customers);
    CHECK(data.cohorts.empty());
    CHECK(data.table.ids == std::vector<std::string>{"x", "y", "z"});
    CHECK(data.table.tenure == std::vector<double>{1, 4, 12});
    CHECK(data.table.churned == std::vector<double>{1, 0, 1});
    CHECK(data.table.weight == std::vector<double>{3, 1, 2});
    const temp_file bare("bare.csv", "tenure,churned\n2,0\n");
    const auto plain = read_contractual_csv(bare.path());
    CHECK(plain.table.weight == std::vector<double>{1});
    CHECK(plain.table.ids == std::vector<std::string>{""});
    clv::io::contractual_csv_options named;
    named.weight_column = "n";
    named.require_weight_column = true;
    CHECK(read_error(bare, named).find("no such column; available columns: 'tenure', 'churned' (value 'n')") != std::string::npos);
}

TEST_CASE("bad cohort files name file:line:column, the field and the value") {
    const temp_file increasing("increasing.csv", "period,active\n0,100\n1,80\n2,90\n");
    CHECK(read_error(increasing).find(increasing.name() + ":4:2: field 'active': active counts must not increase") != std::string::npos);
    const temp_file negative("negative.csv", "period,active\n0,100\n1,-5\n");
    CHECK(read_error(negative).find(":3:2: field 'active'") != std::string::npos);
    const temp_file not_a_number("nan.csv", "period,active\n0,100\n1,NaN\n");
    CHECK(read_error(not_a_number).find(":3:2: field 'active': not a finite number (value 'NaN')") != std::string::npos);
    const temp_file gap("gap.csv", "period,active\n0,100\n1,80\n3,60\n");
    CHECK(read_error(gap).find(":4:1: field 'period': gap in periods") != std::string::npos);
    const temp_file repeat("repeat.csv", "cohort,period,active\nA,0,100\nA,1,80\nA,1,70\n");
    CHECK(read_error(repeat).find(":4:2: field 'period': period repeats or goes back: cohort 'A'") != std::string::npos);
    const temp_file late_start("late.csv", "period,active\n1,100\n");
    CHECK(read_error(late_start).find(":2:1: field 'period': the first row of the cohort must be period 0") != std::string::npos);
    const temp_file fraction("fraction.csv", "period,active\n0,100\n0.5,90\n");
    CHECK(read_error(fraction).find("whole number") != std::string::npos);
    const temp_file only_size("size.csv", "period,active\n0,100\n");
    CHECK(read_error(only_size).find(":2:2: field 'period': the cohort needs counts for period 0") != std::string::npos);
    const temp_file empty("empty.csv", "period,active\n");
    CHECK(read_error(empty).find("no data rows") != std::string::npos);
}

TEST_CASE("bad customer files name file:line:column, the field and the value") {
    const temp_file zero("zero.csv", "tenure,churned\n3,1\n0,0\n");
    CHECK(read_error(zero).find(zero.name() + ":3:1: field 'tenure'") != std::string::npos);
    const temp_file fraction("fraction.csv", "tenure,churned\n2.5,0\n");
    CHECK(read_error(fraction).find(":2:1: field 'tenure'") != std::string::npos);
    const temp_file churn("churn.csv", "tenure,churned\n3,yes\n");
    CHECK(read_error(churn).find(":2:2: field 'churned': not a finite number (value 'yes')") != std::string::npos);
    const temp_file two("two.csv", "tenure,churned\n3,2\n");
    CHECK(read_error(two).find(":2:2: field 'churned': churned must be 0") != std::string::npos);
    const temp_file weight("weight.csv", "tenure,churned,weight\n3,1,-2\n");
    CHECK(read_error(weight).find(":2:3: field 'weight'") != std::string::npos);
    const temp_file duplicate("dup.csv", "customer_id,tenure,churned\na,1,1\na,2,0\n");
    CHECK(read_error(duplicate).find(":3:1: field 'customer_id': duplicate customer id (value 'a')") != std::string::npos);
    const temp_file empty("empty.csv", "tenure,churned\n");
    CHECK(read_error(empty).find("no data rows") != std::string::npos);
}

TEST_CASE("a header of neither form, both forms or half a form says what is expected") {
    const temp_file neither("neither.csv", "frequency,recency,T\n1,2,3\n");
    CHECK(read_error(neither).find("not a contractual file: expected the columns period,active[,cohort]") != std::string::npos);
    const temp_file both("both.csv", "period,active,tenure,churned\n0,1,1,1\n");
    CHECK(read_error(both).find("both forms") != std::string::npos);
    const temp_file half("half.csv", "tenure,status\n1,1\n");
    CHECK(read_error(half).find("field 'column': no such column; available columns: 'tenure', 'status' (value 'churned')") !=
          std::string::npos);
}
