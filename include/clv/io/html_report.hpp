// The report document: one self-contained HTML page (inline CSS and inline SVG; no scripts, fonts,
// images or links outside the file) made of sections, each with a one-sentence guide to reading
// it, charts from clv/io/svg.hpp and tables. Every piece of user text (customer ids, column names,
// file names) is escaped here. The page reads on a laptop screen and prints on A4/Letter.
#pragma once

#include <clv/core/errors.hpp>
#include <clv/io/output_file.hpp>
#include <clv/io/svg.hpp>

#include <cstddef>
#include <filesystem>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace clv::io {

/// A table of text cells. `numeric[c]` right-aligns column c (numbers line up by their digits);
/// rows shorter than the header are padded with empty cells, longer ones are refused.
struct html_table {
    std::string caption;
    std::vector<std::string> header;
    std::vector<bool> numeric;
    std::vector<std::vector<std::string>> rows;
};

/// One section of the report. `how_to_read` is the one sentence under the title saying what to
/// look at; `blocks` are HTML fragments made by the functions below (charts, tables, paragraphs)
/// in the order they appear; `note` (optional) is shown in a muted box, e.g. why part of the
/// section is missing.
struct report_section {
    std::string id, title, how_to_read;
    std::vector<std::string> blocks;
    std::vector<std::string> notes;
};

/// The whole page: a title, a line under it, key figures shown as tiles at the top, the sections
/// (with a table of contents) and notes on sections left out.
struct report_page {
    std::string title, subtitle;
    std::vector<std::pair<std::string, std::string>> key_figures;  ///< (label, formatted value)
    std::vector<report_section> sections;
    std::vector<std::string> left_out;  ///< one sentence per section not shown, saying why
    std::string footer;
};

/// A paragraph of plain text (escaped).
inline std::string paragraph(const std::string& text) { return "<p>" + escape_xml(text) + "</p>"; }

/// A chart (SVG text from clv/io/svg.hpp) in a figure that scales with the page.
inline std::string figure(const std::string& svg) { return "<figure class=\"chart\">" + svg + "</figure>"; }

/// Two figures side by side on a wide screen, one under the other on a narrow one or in print.
inline std::string figure_pair(const std::string& left_svg, const std::string& right_svg) {
    return "<div class=\"pair\">" + figure(left_svg) + figure(right_svg) + "</div>";
}

/// The HTML of `table`. Throws `invalid_input` for a row with more cells than the header.
inline std::string render_table(const html_table& table) {
    std::string out = "<div class=\"table-wrap\"><table>";
    if (!table.caption.empty()) out += "<caption>" + escape_xml(table.caption) + "</caption>";
    auto cell = [&](const char* tag, std::size_t c, const std::string& text) {
        const bool right = c < table.numeric.size() && table.numeric[c];
        return std::string("<") + tag + (right ? " class=\"num\"" : "") + ">" + escape_xml(text) + "</" + tag + ">";
    };
    out += "<thead><tr>";
    for (std::size_t c = 0; c < table.header.size(); ++c) out += cell("th", c, table.header[c]);
    out += "</tr></thead><tbody>";
    for (std::size_t r = 0; r < table.rows.size(); ++r) {
        const auto& row = table.rows[r];
        if (row.size() > table.header.size())
            throw invalid_input("row", std::to_string(r + 1),
                                "has " + std::to_string(row.size()) + " cells but the table has " +
                                    std::to_string(table.header.size()) + " columns",
                                {table.caption.empty() ? "report table" : table.caption});
        out += "<tr>";
        for (std::size_t c = 0; c < table.header.size(); ++c) out += cell("td", c, c < row.size() ? row[c] : std::string());
        out += "</tr>";
    }
    return out + "</tbody></table></div>";
}

namespace detail {
/// Readable on a 13" laptop (a measure of ~70 characters for prose, tables full width), with
/// charts two by two on wide screens; in print, no table of contents, sections start on their
/// own page when they would break, and colours print as shown.
inline constexpr const char* report_css = R"CSS(
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f5f7; color: #1d1d1f; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header.top { background: #0b3d6e; color: #fff; padding: 24px 32px 18px; }
header.top h1 { margin: 0 0 4px; font-size: 26px; font-weight: 650; }
header.top p { margin: 0; opacity: .85; }
main { max-width: 1180px; margin: 0 auto; padding: 16px 24px 40px; }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(170px, 1fr)); gap: 10px; margin: 16px 0; }
.tile { background: #fff; border-radius: 8px; padding: 10px 14px; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
.tile .label { font-size: 12px; color: #555; text-transform: uppercase; letter-spacing: .03em; }
.tile .value { font-size: 22px; font-weight: 650; font-variant-numeric: tabular-nums; }
nav.toc { background: #fff; border-radius: 8px; padding: 10px 16px; margin: 10px 0 18px; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
nav.toc ol { margin: 4px 0; padding-left: 20px; columns: 2 260px; }
nav.toc a { color: #0b3d6e; text-decoration: none; }
section { background: #fff; border-radius: 8px; padding: 14px 22px 18px; margin: 0 0 18px; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
section h2 { margin: 4px 0 2px; font-size: 20px; color: #0b3d6e; }
p.how { margin: 0 0 12px; color: #444; font-style: italic; max-width: 75ch; }
p { max-width: 75ch; }
.note { background: #fff8e1; border-left: 4px solid #e6a700; padding: 6px 12px; margin: 8px 0; font-size: 14px; max-width: 90ch; }
figure.chart { margin: 8px 0; }
figure.chart svg { width: 100%; height: auto; max-width: 720px; display: block; }
.pair { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 12px; }
.table-wrap { overflow-x: auto; margin: 8px 0 12px; }
table { border-collapse: collapse; font-size: 13.5px; font-variant-numeric: tabular-nums; }
caption { text-align: left; font-weight: 600; padding: 4px 0; color: #333; }
th, td { padding: 4px 10px; border-bottom: 1px solid #e4e4e4; text-align: left; vertical-align: top; }
th { background: #eef2f7; font-weight: 600; }
td.num, th.num { text-align: right; white-space: nowrap; }
tbody tr:nth-child(even) { background: #fafbfc; }
footer { color: #666; font-size: 13px; text-align: center; padding: 12px; }
@media print {
  body { background: #fff; font-size: 11pt; }
  header.top { background: #fff; color: #000; border-bottom: 2px solid #0b3d6e; padding: 0 0 8px; }
  nav.toc { display: none; }
  main { max-width: none; padding: 0; }
  section, .tile { box-shadow: none; border: 1px solid #ccc; }
  section { break-inside: auto; } figure.chart, table, .tile { break-inside: avoid; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
)CSS";
}  // namespace detail

/// The page as one HTML5 document. Sections without an id get "section-N".
inline std::string render_page(const report_page& page) {
    std::string out = "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                      "<title>" + escape_xml(page.title) + "</title><style>" + detail::report_css + "</style></head><body>";
    out += "<header class=\"top\"><h1>" + escape_xml(page.title) + "</h1>";
    if (!page.subtitle.empty()) out += "<p>" + escape_xml(page.subtitle) + "</p>";
    out += "</header><main>";
    if (!page.key_figures.empty()) {
        out += "<div class=\"tiles\">";
        for (const auto& [label, value] : page.key_figures)
            out += "<div class=\"tile\"><div class=\"label\">" + escape_xml(label) + "</div><div class=\"value\">" +
                   escape_xml(value) + "</div></div>";
        out += "</div>";
    }
    auto id_of = [&](std::size_t k) {
        return page.sections[k].id.empty() ? "section-" + std::to_string(k + 1) : page.sections[k].id;
    };
    if (page.sections.size() > 1) {
        out += "<nav class=\"toc\"><strong>Contents</strong><ol>";
        for (std::size_t k = 0; k < page.sections.size(); ++k)
            out += "<li><a href=\"#" + escape_xml(id_of(k)) + "\">" + escape_xml(page.sections[k].title) + "</a></li>";
        out += "</ol></nav>";
    }
    for (std::size_t k = 0; k < page.sections.size(); ++k) {
        const auto& s = page.sections[k];
        out += "<section id=\"" + escape_xml(id_of(k)) + "\"><h2>" + escape_xml(s.title) + "</h2>";
        if (!s.how_to_read.empty()) out += "<p class=\"how\">" + escape_xml(s.how_to_read) + "</p>";
        for (const auto& note : s.notes) out += "<div class=\"note\">" + escape_xml(note) + "</div>";
        for (const auto& block : s.blocks) out += block;
        out += "</section>";
    }
    if (!page.left_out.empty()) {
        out += "<section id=\"left-out\"><h2>Sections left out</h2>";
        for (const auto& note : page.left_out) out += "<div class=\"note\">" + escape_xml(note) + "</div>";
        out += "</section>";
    }
    out += "</main>";
    if (!page.footer.empty()) out += "<footer>" + escape_xml(page.footer) + "</footer>";
    return out + "</body></html>\n";
}

/// Writes the page to `path` atomically (see `write_file_atomically`).
inline void write_report_page(const std::filesystem::path& path, const report_page& page) {
    const std::string html = render_page(page);
    write_file_atomically(path, [&](std::ostream& out) { out << html; });
}

}  // namespace clv::io
