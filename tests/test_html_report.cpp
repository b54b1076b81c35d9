// The report document: structure, escaping of user text, no external references, atomic writing;
// and the customer report built end to end on the demo data, whose simulated effects are known.
#include <clv/analysis/customer_report.hpp>
#include <clv/io/customer_report_html.hpp>
#include <clv/io/html_report.hpp>

#include "temp_file.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
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
