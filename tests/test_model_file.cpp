#include <clv/core/time_unit.hpp>
#include <clv/io/json.hpp>
#include <clv/io/model_file.hpp>
#include <clv/models/bg_nbd.hpp>
#include <clv/models/pareto_nbd.hpp>

#include "temp_file.hpp"

#include <doctest/doctest.h>

#include <cstring>
#include <limits>
#include <random>
#include <string>

using clv::invalid_input;
using clv::io::json;

namespace {

std::string parse_error(std::string_view text) {
    try {
        (void)json::parse(text, "m.json");
    } catch (const invalid_input& e) {
        return e.what();
    }
    return "no error";
}

std::string model_error(std::string_view text, bool allow_unconverged = false) {
    try {
        (void)clv::io::parse_model_file(text, "m.json", allow_unconverged);
    } catch (const invalid_input& e) {
        return e.what();
    }
    return "no error";
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

/// A converged BG/NBD fit as the fitting layer would return it (values of FHL 2005, CDNOW).
clv::fit::fit_result<clv::bg_nbd<double>> cdnow_fit() {
    clv::fit::fit_result<clv::bg_nbd<double>> fit;
    fit.params = {0.243, 4.414, 0.793, 2.426};
    fit.log_likelihood = -9582.4;
    fit.converged = true;
    fit.std_errors_available = true;
    fit.std_errors = {0.0126, 0.378, 0.186, 0.705};
    fit.covariance.setIdentity();
    fit.status = "converged";
    fit.iterations = 20;
    fit.gradient_norm = 1e-9;
    fit.n_customers = 2357;
    return fit;
}

}  // namespace

TEST_CASE("json reads the RFC 8259 grammar and writes it back") {
    const json v = json::parse(R"( {"a": [1, -2.5e3, 0, true, false, null], "b": {"c": "x\"\\\/\n\u00e9\ud83d\ude00"}} )");
    REQUIRE(v.is_object());
    const json::array& a = v.find("a")->as_array();
    CHECK(a.size() == 6);
    CHECK(a[1].as_number() == -2500);
    CHECK(a[3].as_bool());
    CHECK(a[5].is_null());
    CHECK(v.find("b")->find("c")->as_string() == "x\"\\/\n\xC3\xA9\xF0\x9F\x98\x80");
    CHECK(v.dump(0) == R"({"a":[1,-2500,0,true,false,null],"b":{"c":"x\"\\/\n)" "\xC3\xA9\xF0\x9F\x98\x80" R"("}})");
    CHECK(json::parse(v.dump(2)).dump(0) == v.dump(0));
    CHECK(json::parse("[]").dump() == "[]");
    CHECK(json::parse("{}").dump() == "{}");
    CHECK(json::parse("{\"k\": [1]}").dump(2) == "{\n  \"k\": [\n    1\n  ]\n}");
}

TEST_CASE("json numbers read back to the same double") {
    std::mt19937_64 rng(20261130);
    std::uniform_real_distribution<double> mantissa(-1, 1);
    std::uniform_int_distribution<int> exponent(-300, 300);
    for (int i = 0; i < 10000; ++i) {
        const double x = std::ldexp(mantissa(rng), exponent(rng));
        const double back = json::parse(json(x).dump()).as_number();
        CHECK(std::memcmp(&x, &back, sizeof x) == 0);
    }
    CHECK(json::parse("5e-324").as_number() == std::numeric_limits<double>::denorm_min());
    CHECK_THROWS_AS((void)json(std::numeric_limits<double>::quiet_NaN()).dump(), invalid_input);
}

TEST_CASE("json refuses everything outside the grammar, with line and column") {
    CHECK(parse_error("{\"a\": 1,}") == "m.json:1:9: not valid JSON: expected a key in double quotes");
    CHECK(parse_error("{\n  \"a\": 1,\n  \"a\": 2\n}") == "m.json:3:3: not valid JSON: duplicate key \"a\"");
    CHECK(contains(parse_error("[1, 2"), "m.json:1:6: not valid JSON: expected ',' or ']'"));
    CHECK(contains(parse_error("NaN"), "unexpected character 'N'"));
    CHECK(contains(parse_error("[Infinity]"), "unexpected character 'I'"));
    CHECK(contains(parse_error("[01]"), "leading zero"));
    CHECK(contains(parse_error("[1.]"), "after the decimal point"));
    CHECK(contains(parse_error("[1e]"), "exponent"));
    CHECK(contains(parse_error("[-]"), "expected a digit"));
    CHECK(contains(parse_error("[1e999]"), "number out of range"));
    CHECK(contains(parse_error("// comment\n{}"), "1:1"));
    CHECK(contains(parse_error("\"a\tb\""), "control character"));
    CHECK(contains(parse_error("\"abc"), "unterminated string"));
    CHECK(contains(parse_error("\"\\x\""), "unknown escape"));
    CHECK(contains(parse_error("\"\\ud800\""), "unpaired surrogate"));
    CHECK(contains(parse_error("{} {}"), "after the JSON value"));
    CHECK(contains(parse_error(""), "unexpected end"));
    CHECK(contains(parse_error("tru"), "unexpected character 't'"));
    CHECK(contains(parse_error(std::string(100000, '[')), "nested more than"));
    // Text that is not UTF-8 (RFC 8259 section 8.1; RFC 3629 section 4 for what is well formed):
    // a stray continuation byte, a lead byte cut short, overlong forms, surrogates, > U+10FFFF.
    for (const std::string bad : {"\"co\xf6" "ariance\"", "\"\x80\"", "\"\xc3\"", "\"\xc0\xaf\"", "\"\xe0\x80\xaf\"",
                                  "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"", "\"\xf8\x88\x80\x80\x80\"", "{\"\xff\": 1}"}) {
        CAPTURE(bad);
        CHECK(contains(parse_error(bad), "not UTF-8"));
    }
    // Well-formed multi-byte text (2, 3 and 4 bytes, and the largest code point) reads back unchanged.
    const std::string good = "\"\xc3\xa9 \xe2\x82\xac \xf0\x9d\x84\x9e \xf4\x8f\xbf\xbf\"";
    CHECK(json::parse(good).dump() == good);
}

TEST_CASE("time units are numbers of days") {
    CHECK(clv::time_unit::parse("day").days == 1);
    CHECK(clv::time_unit::parse("week").days == 7);
    CHECK(clv::time_unit::parse("month").days == 365.25 / 12);
    CHECK(clv::time_unit::parse("year").days == 365.25);
    CHECK(clv::time_unit::parse("14").days == 14);
    CHECK(clv::time_unit::parse("7").same_length(clv::time_unit::parse("week")));
    CHECK(!clv::time_unit::parse("day").same_length(clv::time_unit::parse("week")));
    for (const char* bad : {"fortnight", "", "0", "-7", "nan", "inf", "7days", "Week"})
        CHECK_THROWS_WITH_AS(clv::time_unit::parse(bad, "--time-unit"),
                             doctest::Contains("field '--time-unit': unknown time unit"), invalid_input);
    CHECK(clv::time_unit::parse("week").describe() == "week (7 days)");
    CHECK(clv::time_unit::parse("14").describe() == "14 days");
}

TEST_CASE("a fit is written as the documented JSON and read back exactly") {
    const auto fit = cdnow_fit();
    const json doc = clv::io::fit_to_json(fit, clv::time_unit::parse("week"), clv::io::T_range{27, 39});
    CHECK(doc.find("model")->as_string() == "bgnbd");
    CHECK(doc.find("std_errors")->find("alpha")->as_number() == 0.378);
    CHECK(doc.find("std_errors_of")->as_string() == "log-likelihood");
    CHECK(doc.find("time_unit_days")->as_number() == 7);
    CHECK(doc.find("aic")->as_number() == 2 * 4 + 2 * 9582.4);
    clv_test::temp_file file("model.json", "");
    clv::io::write_model_file(file.path(), doc);
    const clv::io::model_file back = clv::io::read_model_file(file.path(), false);
    CHECK(back.model == "bgnbd");
    CHECK(back.converged);
    REQUIRE(back.unit);
    CHECK(back.unit->days == 7);
    REQUIRE(back.ages);
    CHECK(back.ages->max == 39);
    const auto params = back.params<clv::bg_nbd<double>>();
    CHECK(params.r == 0.243);
    CHECK(params.alpha == 4.414);
    CHECK(params.a == 0.793);
    CHECK(params.b == 2.426);
    CHECK(back.document.dump() == doc.dump());
}

TEST_CASE("standard errors only where they mean something") {
    SUBCASE("not converged: null, and the file is refused unless allowed") {
        auto fit = cdnow_fit();
        fit.converged = false;
        fit.status = "did not converge: parameter r runs to zero";
        const json doc = clv::io::fit_to_json(fit);
        CHECK(doc.find("std_errors")->is_null());
        CHECK(doc.find("covariance")->is_null());
        CHECK(doc.find("std_errors_of") == nullptr);
        const std::string message = model_error(doc.dump());
        CHECK(contains(message, "m.json: field 'converged': the model's fit did not converge (did not converge: parameter r"));
        CHECK(contains(message, "--allow-unconverged"));
        CHECK(!clv::io::parse_model_file(doc.dump(), "m.json", true).converged);
    }
    SUBCASE("penalised: said to be of the penalised objective") {
        auto fit = cdnow_fit();
        fit.penalty = 0.1;
        CHECK(clv::io::fit_to_json(fit).find("std_errors_of")->as_string() == "penalised log-likelihood");
    }
    SUBCASE("one parameter not identified: its entry is null") {
        auto fit = cdnow_fit();
        fit.std_errors[2] = std::numeric_limits<double>::quiet_NaN();
        CHECK(clv::io::fit_to_json(fit).find("std_errors")->find("a")->is_null());
    }
}

TEST_CASE("a model file that is not one is refused with the reason") {
    CHECK(contains(model_error("[1]"), "not a clv model file"));
    CHECK(contains(model_error(R"({"model": "bgnbd"})"), "not a clv model file"));
    CHECK(contains(model_error(R"({"model": "bgnbd", "params": {}, "converged": "yes"})"), "field 'converged': must be true or false"));
    CHECK(contains(model_error(R"({"model": "bgnbd", "params": {}, "time_unit_days": -7})"), "positive number of days"));
    CHECK(contains(model_error(R"({"model": "bgnbd", "params": {}, "time_unit": "fortnight"})"), "unknown time unit"));
    CHECK(contains(model_error(R"({"model": "bgnbd", "params": {}, "T_range": {"min": 5, "max": 1}})"), "T_range"));
    // Files that record only the unit's name still give its length.
    CHECK(clv::io::parse_model_file(R"({"model": "pnbd", "params": {}, "time_unit": "month"})", "m.json", false)
              .unit->days == 365.25 / 12);
    const auto params_error = [](std::string_view params) {
        try {
            (void)clv::io::parse_model_file(std::string(R"({"model": "pnbd", "params": )") + std::string(params) + "}",
                                            "m.json", false)
                .params<clv::pareto_nbd<double>>();
        } catch (const invalid_input& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    CHECK(params_error(R"({"r": 0.55, "alpha": 10.6, "s": 0.61, "beta": 11.7})") == "no error");
    CHECK(contains(params_error(R"({"r": 0.55, "alpha": 10.6, "s": 0.61})"), "field 'beta': parameter missing"));
    CHECK(contains(params_error(R"({"r": 0.55, "alpha": 10.6, "s": 0.61, "beta": 11.7, "b": 1})"), "unknown parameter"));
    CHECK(contains(params_error(R"({"r": "0.55", "alpha": 10.6, "s": 0.61, "beta": 11.7})"), "must be a number"));
    CHECK(params_error(R"({"r": -1, "alpha": 10.6, "s": 0.61, "beta": 11.7})") != "no error");
}
