// Chart primitives: well-formed, self-contained SVG with axes, ticks, legends and escaped text;
// numbers formatted for people; nice ticks that cover the data.
#include <clv/io/svg.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <regex>
#include <string>
#include <vector>

namespace {

std::size_t occurrences(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
    return n;
}

/// Every '<' opens a tag whose name is a known SVG element or a closing tag, every opened element
/// is closed in order: a small structural check that needs no XML library.
bool balanced(const std::string& svg) {
    std::vector<std::string> open;
    const std::regex tag(R"(<(/?)([a-zA-Z]+)[^<>]*?(/?)>)");
    std::size_t consumed = 0, tags = 0;
    for (auto it = std::sregex_iterator(svg.begin(), svg.end(), tag); it != std::sregex_iterator(); ++it) {
        const auto& m = *it;
        const std::string between = svg.substr(consumed, static_cast<std::size_t>(m.position()) - consumed);
        if (between.find('<') != std::string::npos || between.find('>') != std::string::npos) return false;
        consumed = static_cast<std::size_t>(m.position() + m.length());
        ++tags;
        if (m[1] == "/") {
            if (open.empty() || open.back() != m[2]) return false;
            open.pop_back();
        } else if (m[3] != "/") {
            open.push_back(m[2]);
        }
    }
    return open.empty() && tags > 0 && svg.substr(consumed).find('<') == std::string::npos;
}

clv::svg::frame frame_titled(const std::string& title) {
    clv::svg::frame f;
    f.title = title;
    f.x.label = "Time";
    f.x.unit = "weeks";
    f.y.label = "Purchases";
    return f;
}

}  // namespace

TEST_CASE("escape_xml replaces the five special characters and nothing else") {
    CHECK(clv::io::escape_xml(R"(<a href="x">Tom & 'Jerry'</a>)") ==
          "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;");
    CHECK(clv::io::escape_xml("plain text, é ü") == "plain text, é ü");
    CHECK(clv::io::escape_xml("&amp;") == "&amp;amp;");  // escaping is not idempotent: done once, at output
}

TEST_CASE("numbers are formatted for people") {
    using clv::io::format_number;
    CHECK(format_number(0) == "0");
    CHECK(format_number(1234567) == "1.23 M");
    CHECK(format_number(-2.5e9) == "-2.5 B");
    CHECK(format_number(12345.678) == "12,346");
    CHECK(format_number(999.96) == "1,000");
    CHECK(format_number(12.3456) == "12.3");
    CHECK(format_number(3.0) == "3");
    CHECK(format_number(0.0123456) == "0.0123");
    CHECK(format_number(0.243, 4) == "0.243");
    CHECK(format_number(-0.0001) == "-0.0001");
    CHECK(format_number(NAN) == "n/a");
    CHECK(format_number(INFINITY) == "n/a");
    CHECK(clv::io::format_count(2357.4) == "2,357");
    CHECK(clv::io::format_count(-1234567) == "-1,234,567");
    CHECK(clv::io::format_count(999) == "999");
    CHECK(clv::io::format_percent(0.1234) == "12.3 %");
    CHECK(clv::io::format_percent(1) == "100.0 %");
    CHECK(clv::io::format_percent(0.5, 0) == "50 %");
    CHECK(clv::io::format_percent(-0.0001) == "0.0 %");  // no "-0.0"
}

TEST_CASE("nice ticks are round steps of 1, 2 or 5 that cover the range") {
    const auto check = [](double low, double high) {
        const auto ticks = clv::svg::nice_ticks(low, high);
        REQUIRE(ticks.size() >= 2);
        CHECK(ticks.front() <= low);
        CHECK(ticks.back() >= high);
        const double step = ticks[1] - ticks[0];
        const double mantissa = step / std::pow(10.0, std::floor(std::log10(step)));
        CHECK((std::abs(mantissa - 1) < 1e-9 || std::abs(mantissa - 2) < 1e-9 || std::abs(mantissa - 5) < 1e-9 ||
               std::abs(mantissa - 10) < 1e-9));
        for (std::size_t k = 1; k < ticks.size(); ++k) CHECK(ticks[k] - ticks[k - 1] == doctest::Approx(step));
        CHECK(ticks.size() <= 12);
    };
    check(0, 1);
    check(0, 2357);
    check(-3.2, 17.9);
    check(0.0012, 0.0047);
    check(1e6, 3.7e6);
    const auto flat = clv::svg::nice_ticks(5, 5);  // a flat series still gets an axis around it
    CHECK(flat.front() < 5);
    CHECK(flat.back() > 5);
    CHECK(clv::svg::nice_ticks(0, 1) == std::vector<double>{0, 0.2, 0.4, 0.6, 0.8, 1.0});
    CHECK_THROWS_AS(clv::svg::nice_ticks(0, NAN), clv::invalid_input);
}

TEST_CASE("a line chart has a title, axes with units, ticks, a legend and one path per series") {
    clv::svg::line_series actual{"Actual", {1, 2, 3, 4}, {10, 20, 15, 30}};
    clv::svg::line_series expected{"Expected", {1, 2, 3, 4}, {12, 18, 17, 28}, true, true};
    const std::string svg = clv::svg::line_chart(frame_titled("Weekly purchases"), {actual, expected}, {{2.5, "calibration end"}});
    CHECK(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0) == 0);
    CHECK(balanced(svg));
    CHECK(svg.find("<title>Weekly purchases</title>") != std::string::npos);
    CHECK(svg.find(">Time (weeks)</text>") != std::string::npos);
    CHECK(svg.find(">Purchases</text>") != std::string::npos);
    CHECK(svg.find(">Actual</text>") != std::string::npos);  // legend entries
    CHECK(svg.find(">Expected</text>") != std::string::npos);
    CHECK(svg.find(">calibration end</text>") != std::string::npos);
    CHECK(occurrences(svg, "<path ") == 2);
    CHECK(occurrences(svg, "<circle ") == 4);  // markers on the second series only
    CHECK(svg.find("stroke-dasharray=\"6 4\"") != std::string::npos);
    CHECK(svg.find(">30</text>") != std::string::npos);  // the top tick covers the largest value
    CHECK(svg.find("href") == std::string::npos);
    CHECK(svg.find("<script") == std::string::npos);
}

TEST_CASE("a long legend wraps into rows inside the chart, and the plot starts below it; a series may name its colour") {
    std::vector<clv::svg::line_series> many;
    for (int k = 0; k < 6; ++k)
        many.push_back({"Observed, cohort 2024-0" + std::to_string(k + 1), {0, 1, 2}, {1, 0.8, 0.7}, false, false, k == 5 ? "#123456" : ""});
    const clv::svg::frame f = frame_titled("Cohorts");  // 640 pixels wide
    const std::string svg = clv::svg::line_chart(f, many);
    CHECK(balanced(svg));
    // Each entry's name (7 pixels a character, drawn 28 pixels right of its swatch) ends inside the chart.
    const std::regex entry(R"re(<text x="([0-9.]+)" y="([0-9.]+)" text-anchor="start" fill="#333">Observed, cohort 2024-0\d</text>)re");
    std::vector<double> rows;
    std::size_t entries = 0;
    for (auto it = std::sregex_iterator(svg.begin(), svg.end(), entry); it != std::sregex_iterator(); ++it, ++entries) {
        const double x = std::stod((*it)[1]), y = std::stod((*it)[2]);
        CHECK(x + 7.0 * 24 <= f.width);
        if (std::find(rows.begin(), rows.end(), y) == rows.end()) rows.push_back(y);
    }
    CHECK(entries == 6);
    REQUIRE(rows.size() >= 2);
    // The top grid line (y = 1) lies below the last legend row.
    const std::regex grid(R"re(<line x1="72.0" y1="([0-9.]+)" x2="[0-9.]+" y2="[0-9.]+" stroke="#e3e3e3"/>)re");
    double top_grid = 1e9;
    for (auto it = std::sregex_iterator(svg.begin(), svg.end(), grid); it != std::sregex_iterator(); ++it)
        top_grid = std::min(top_grid, std::stod((*it)[1]));
    CHECK(top_grid > *std::max_element(rows.begin(), rows.end()));
    CHECK(occurrences(svg, "stroke=\"#123456\"") == 2);  // its line and its legend swatch
}

TEST_CASE("a non-finite point breaks the line instead of drawing to it") {
    clv::svg::line_series s{"s", {0, 1, 2, 3}, {1, NAN, 2, 3}};
    const std::string svg = clv::svg::line_chart(frame_titled("gap"), {s});
    CHECK(occurrences(svg, " M") + occurrences(svg, "\"M") == 2);
    CHECK(svg.find("nan") == std::string::npos);
    CHECK(svg.find("inf") == std::string::npos);
}

TEST_CASE("a grouped bar chart draws one bar per category and series, with exact values as tooltips") {
    const std::vector<std::string> categories{"0", "1", "2", "3+"};
    const std::string svg = clv::svg::bar_chart(frame_titled("Histogram"), categories,
                                                {{"Observed", {1411, 439, 214, 293}}, {"Expected", {1400.6, 450.2, 200, 306.2}}});
    CHECK(balanced(svg));
    // background + 8 bars + 2 legend swatches are lines, not rects
    CHECK(occurrences(svg, "<rect ") == 1 + 8);
    CHECK(svg.find("<title>Observed, 3+: 293</title>") != std::string::npos);
    CHECK(svg.find(">3+</text>") != std::string::npos);
    CHECK(svg.find(">1,500</text>") != std::string::npos);  // the value axis reaches above the tallest bar
    CHECK_THROWS_AS(clv::svg::bar_chart(frame_titled("bad"), categories, {{"short", {1, 2}}}), clv::invalid_input);
    CHECK_THROWS_AS(clv::svg::bar_chart(frame_titled("bad"), {}, {}), clv::invalid_input);
}

TEST_CASE("user text in charts is escaped") {
    const std::string name = R"(<script>alert("x")</script> & co)";
    clv::svg::frame f = frame_titled(name);
    f.x.label = "a < b";
    const std::string svg = clv::svg::bar_chart(f, {name}, {{name, {1}}});
    CHECK(balanced(svg));
    CHECK(svg.find("<script") == std::string::npos);
    CHECK(svg.find("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co") != std::string::npos);
    CHECK(svg.find("a &lt; b") != std::string::npos);
}

TEST_CASE("a heat map colours each cell on one scale and leaves impossible cells grey") {
    const std::vector<std::vector<double>> values{{1.0, NAN, NAN}, {0.2, 0.5, 0.9}};
    const std::string svg = clv::svg::heat_map(frame_titled("P(alive)"), {"0", "1"}, {"0", "10", "20"}, values,
                                               clv::svg::number_style::percent);
    CHECK(balanced(svg));
    CHECK(occurrences(svg, "fill=\"#dddddd\"") == 2);
    CHECK(svg.find(clv::svg::sequential_colour(1.0)) != std::string::npos);  // the largest value: darkest
    CHECK(svg.find(clv::svg::sequential_colour(0.0)) != std::string::npos);  // the smallest: lightest
    CHECK(svg.find(">100 %</text>") != std::string::npos);                    // legend in percent
    CHECK(svg.find(">20 %</text>") != std::string::npos);
    CHECK(clv::svg::sequential_colour(0) == "#f7fbff");
    CHECK(clv::svg::sequential_colour(1) == "#08306b");
    CHECK_THROWS_AS(clv::svg::heat_map(frame_titled("bad"), {"0"}, {"0", "1"}, {{1.0}}), clv::invalid_input);
}

TEST_CASE("the Lorenz chart sets shares on both axes and names the Gini coefficient") {
    const std::string svg = clv::svg::lorenz_chart(frame_titled("Lorenz"), {0.5, 1.0}, {0.1, 1.0}, 0.4);
    CHECK(balanced(svg));
    CHECK(svg.find("Gini 0.4") != std::string::npos);
    CHECK(svg.find(">Equal shares</text>") != std::string::npos);
    CHECK(svg.find(">100 %</text>") != std::string::npos);
    CHECK(occurrences(svg, "<path ") == 2);
}

TEST_CASE("charts refuse sizes they cannot draw in and series of unequal length") {
    clv::svg::frame tiny = frame_titled("tiny");
    tiny.width = 50;
    CHECK_THROWS_AS(clv::svg::line_chart(tiny, {{"s", {0, 1}, {0, 1}}}), clv::invalid_input);
    CHECK_THROWS_AS(clv::svg::line_chart(frame_titled("x"), {{"s", {0, 1}, {0}}}), clv::invalid_input);
    CHECK_THROWS_AS(clv::svg::line_chart(frame_titled("x"), {}), clv::invalid_input);
}
