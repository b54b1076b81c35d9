// `clv simple`: the back-of-the-envelope CLV and its retention form.
#pragma once

#include "checks.hpp"
#include "format.hpp"

#include <clv/clv.hpp>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>
#include <optional>
#include <string>

namespace clv_cli {

inline void add_simple_command(CLI::App& app) {
    struct options {
        std::optional<double> aov, purchases_per_year, lifetime_years, retention, margin_per_period;
        double margin = 1.0;
        double discount_rate = 0.0;
        std::string timing = "end";
        std::size_t horizon = 0;
        bool json = false;
    };
    auto opt = std::make_shared<options>();
    auto* cmd = app.add_subcommand("simple", "Simple CLV: average order value x purchases per year x lifetime "
                                             "in years, or the retention form m r / (1 + d - r)");
    cmd->add_option("--aov", opt->aov, "average order value");
    cmd->add_option("--purchases-per-year", opt->purchases_per_year, "purchases per customer and year");
    cmd->add_option("--lifetime-years", opt->lifetime_years, "expected customer lifetime in years");
    cmd->add_option("--margin", opt->margin, "gross margin in [0, 1] applied to order values (default 1)");
    cmd->add_option("--discount-rate", opt->discount_rate,
                    "discount rate per period (per year for the simple form); default 0: no discounting, "
                    "refused where the value would then be infinite");
    cmd->add_option("--retention", opt->retention, "retention rate per period in [0, 1] (retention form)");
    cmd->add_option("--margin-per-period", opt->margin_per_period, "margin per customer and period (retention form)");
    cmd->add_option("--margin-timing", opt->timing, "end (default): margins at the end of each period; start: "
                                                    "at the start, the current period included")
        ->check(CLI::IsMember({"end", "start"}));
    cmd->add_option("--horizon", opt->horizon, "count only this many periods, a whole number (finite-horizon form; "
                                               "default 0: all)")
        ->check(whole_number_at_most());
    cmd->add_flag("--json", opt->json, "print a JSON object instead of a bare number");

    cmd->callback([opt] {
        const auto timing = opt->timing == "start" ? clv::margin_timing::start : clv::margin_timing::end;
        nlohmann::json out;
        double value = 0;
        if (opt->retention || opt->margin_per_period) {
            if (!opt->retention || !opt->margin_per_period)
                throw clv::invalid_input("retention", "", "the retention form needs both --retention and --margin-per-period");
            if (opt->aov || opt->purchases_per_year || opt->lifetime_years)
                throw clv::invalid_input("", "", "give either --aov/--purchases-per-year/--lifetime-years or "
                                                 "--retention/--margin-per-period, not both");
            value = clv::retention_clv(*opt->margin_per_period, *opt->retention, opt->discount_rate, timing, opt->horizon);
            out = {{"form", "retention"}, {"margin_per_period", *opt->margin_per_period},
                   {"retention", *opt->retention}, {"discount_rate", opt->discount_rate},
                   {"margin_timing", opt->timing}, {"horizon", opt->horizon}};
        } else {
            if (!opt->aov || !opt->purchases_per_year || !opt->lifetime_years)
                throw clv::invalid_input("", "", "simple CLV needs --aov, --purchases-per-year and --lifetime-years "
                                                 "(or --retention and --margin-per-period)");
            const clv::discounting discount{opt->discount_rate, timing, opt->horizon};
            value = clv::lifetime_value(clv::constant_spend(*opt->aov), clv::constant_rate(*opt->purchases_per_year),
                                        clv::fixed_lifetime(*opt->lifetime_years), discount, opt->margin);
            out = {{"form", "simple"}, {"aov", *opt->aov}, {"purchases_per_year", *opt->purchases_per_year},
                   {"lifetime_years", *opt->lifetime_years}, {"margin", opt->margin},
                   {"discount_rate", opt->discount_rate}, {"margin_timing", opt->timing}, {"horizon", opt->horizon}};
        }
        require_finite(value, "value");
        if (opt->json) {
            out["value"] = value;
            std::cout << out.dump(2) << '\n';
        } else {
            std::cout << format_number(value) << '\n';
        }
        finish_standard_output();
    });
}

}  // namespace clv_cli
