// Small chart primitives for the HTML report: line charts, grouped bar charts, heat maps and the
// Lorenz curve, as self-contained SVG text (no scripts, no external fonts or references), with
// axes, ticks, labels, units and legends; and the text helpers every report page shares (escaping
// for XML/HTML and numbers formatted for people). Pure functions: data in, markup out.
#pragma once

#include <clv/core/errors.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace clv::io {

/// `text` with the five XML special characters replaced by entities, safe inside element content
/// and inside single- or double-quoted attribute values, in SVG and in HTML alike.
inline std::string escape_xml(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (const char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

namespace detail {
/// `digits` with a comma between groups of three, e.g. "1234567" -> "1,234,567".
inline std::string group_thousands(const std::string& digits) {
    std::string out;
    const std::size_t n = digits.size();
    for (std::size_t i = 0; i < n; ++i) {
        if (i > 0 && (n - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return out;
}

/// Fixed notation with `decimals` decimals and grouped thousands, e.g. -12345.678, 1 -> "-12,345.7".
inline std::string fixed_grouped(double v, int decimals) {
    std::array<char, 64> buffer{};
    std::snprintf(buffer.data(), buffer.size(), "%.*f", decimals, std::abs(v));
    std::string text(buffer.data());
    const auto point = text.find('.');
    std::string out = group_thousands(text.substr(0, point)) + (point == std::string::npos ? "" : text.substr(point));
    const bool zero = std::all_of(out.begin(), out.end(), [](char c) { return c == '0' || c == '.' || c == ','; });
    return (v < 0 && !zero ? "-" : "") + out;
}
}  // namespace detail

/// A number for people: "n/a" when not finite; millions and billions as "1.23 M", "4.5 B";
/// otherwise `significant` significant digits without exponent and with grouped thousands
/// ("12,345", "12.3", "0.0123"). Not for reading back: the CSV outputs keep full precision.
inline std::string format_number(double v, int significant = 3) {
    if (!std::isfinite(v)) return "n/a";
    if (v == 0) return "0";
    const double magnitude = std::abs(v);
    if (magnitude >= 1e9) return format_number(v / 1e9, significant) + " B";
    if (magnitude >= 1e6) return format_number(v / 1e6, significant) + " M";
    const int exponent = static_cast<int>(std::floor(std::log10(magnitude)));
    const int decimals = std::clamp(significant - 1 - exponent, 0, 12);
    std::string out = detail::fixed_grouped(v, decimals);
    if (out.find('.') != std::string::npos) {  // "12.50" -> "12.5", "3.00" -> "3"
        while (out.back() == '0') out.pop_back();
        if (out.back() == '.') out.pop_back();
    }
    return out;
}

/// A count, rounded to a whole number with grouped thousands: "2,357".
inline std::string format_count(double v) {
    if (!std::isfinite(v)) return "n/a";
    return detail::fixed_grouped(std::round(v), 0);
}

/// A share as a percentage with `decimals` decimals: 0.1234 -> "12.3 %".
inline std::string format_percent(double share, int decimals = 1) {
    if (!std::isfinite(share)) return "n/a";
    return detail::fixed_grouped(100 * share, decimals) + " %";
}

}  // namespace clv::io

namespace clv::svg {

/// How the numbers of an axis or a legend are written.
enum class number_style { plain, percent };

/// One axis: what it shows, in which unit ("weeks", "purchases", "" for none), how its numbers are
/// written, and optional fixed ends (default: from the data, the value axis of bars from 0).
struct axis {
    std::string label;
    std::string unit;
    number_style style = number_style::plain;
    std::optional<double> min, max;
};

/// A chart's frame: its title (also the accessible name), its axes and its size in pixels.
struct frame {
    std::string title;
    axis x, y;
    int width = 640, height = 340;
};

/// A line through (x[i], y[i]); points with a non-finite coordinate break the line.
struct line_series {
    std::string name;
    std::vector<double> x, y;
    bool dashed = false;
    bool markers = false;
    std::string colour{};  ///< a CSS colour; empty: the series' place in `palette` (e.g. a fit and its dashed projection share one)
};

/// A vertical reference line at `x` with a short label (e.g. "calibration end").
struct marker_line {
    double x = 0;
    std::string label;
};

/// One group of bars: `values[k]` belongs to category k.
struct bar_series {
    std::string name;
    std::vector<double> values;
};

/// Colours that stay distinct for colour-blind readers and in greyscale print (Okabe & Ito 2008).
inline constexpr std::array<std::string_view, 6> palette{"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00"};

/// About `count` evenly spaced round numbers (steps of 1, 2 or 5 times a power of ten) covering
/// [low, high] (Heckbert 1990, "Nice numbers for graph labels"). A flat range is widened to show it.
inline std::vector<double> nice_ticks(double low, double high, int count = 5) {
    if (!std::isfinite(low) || !std::isfinite(high)) throw invalid_input("axis", "", "an axis needs finite ends", {"chart"});
    if (high < low) std::swap(low, high);
    if (high == low) {
        const double pad = low == 0 ? 1 : std::abs(low) * 0.1;
        low -= pad;
        high += pad;
    }
    const double rough = (high - low) / std::max(count, 1);
    const double power = std::pow(10.0, std::floor(std::log10(rough)));
    const double fraction = rough / power;
    const double mantissa = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
    const double step = mantissa * power;
    // Tick k is k x mantissa x 10^e, computed as a division by 10^-e when e < 0 so that 0.6 is the
    // double nearest 0.6 (3 x 0.2 is not).
    const double inverse_power = power < 1 ? std::round(1 / power) : 0;
    const auto first = static_cast<long long>(std::floor(low / step + 1e-9));
    const auto last = static_cast<long long>(std::ceil(high / step - 1e-9));
    std::vector<double> ticks;
    for (long long k = first; k <= last; ++k) {
        const double multiple = static_cast<double>(k) * mantissa;
        ticks.push_back(inverse_power > 0 ? multiple / inverse_power : multiple * power);
    }
    return ticks;
}

/// A tick or legend number: percentages for shares, otherwise `format_number` with enough digits
/// to tell neighbouring ticks `step` apart.
inline std::string format_tick(double v, number_style style, double step) {
    if (style == number_style::percent) {
        const int decimals = step >= 0.01 || step <= 0 ? 0 : std::clamp(-static_cast<int>(std::floor(std::log10(step * 100))), 0, 3);
        return io::format_percent(v, decimals);
    }
    if (v == 0) return "0";
    const int digits = step > 0 ? static_cast<int>(std::floor(std::log10(std::abs(v)))) -
                                      static_cast<int>(std::floor(std::log10(step))) + 1
                                : 3;
    return io::format_number(v, std::clamp(digits, 1, 6));
}

namespace detail {

/// Coordinates with one decimal: enough for a screen, short for the file.
inline std::string coordinate(double v) {
    std::array<char, 32> buffer{};
    std::snprintf(buffer.data(), buffer.size(), "%.1f", v);
    return buffer.data();
}

inline std::string axis_title(const axis& a) { return a.unit.empty() ? a.label : a.label + " (" + a.unit + ")"; }

/// The plotting area of a frame (margins leave room for ticks, axis titles and the legend).
struct plot_area {
    double left, top, right, bottom;
    [[nodiscard]] double width() const { return right - left; }
    [[nodiscard]] double height() const { return bottom - top; }
};

/// Where each legend entry goes: entries flow left to right under the title and wrap to a new row
/// of 18 pixels when the next would pass the right edge.
struct legend_layout {
    std::vector<std::pair<double, int>> place;  ///< (x, row) of each entry's swatch
    int rows = 0;
};

inline legend_layout lay_out_legend(const frame& f, const std::vector<std::string>& names) {
    legend_layout out;
    double x = 72;
    const double right = static_cast<double>(f.width) - 12;
    for (const auto& name : names) {
        const double width = 40 + 7.0 * static_cast<double>(name.size());
        if (out.rows == 0) out.rows = 1;
        else if (x + width - 12 > right && x > 72) x = 72, ++out.rows;
        out.place.emplace_back(x, out.rows - 1);
        x += width;
    }
    return out;
}

/// The plotting area below the title and `legend_rows` rows of legend.
inline plot_area area_of(const frame& f, int legend_rows) {
    return {72.0, 36.0 + 22.0 * legend_rows, static_cast<double>(f.width) - 20.0, static_cast<double>(f.height) - 52.0};
}

/// A linear map from data to pixels.
struct scale {
    double data_low, data_high, pixel_low, pixel_high;
    [[nodiscard]] double operator()(double v) const {
        return pixel_low + (v - data_low) / (data_high - data_low) * (pixel_high - pixel_low);
    }
};

/// Opening tag, accessible title and background of a chart.
inline std::string open_chart(const frame& f) {
    if (f.width < 200 || f.height < 150)
        throw invalid_input("size", std::to_string(f.width) + "x" + std::to_string(f.height), "a chart needs at least 200x150 pixels",
                            {"chart"});
    std::string out = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\" viewBox=\"0 0 " +
                      std::to_string(f.width) + ' ' + std::to_string(f.height) + "\" width=\"" + std::to_string(f.width) +
                      "\" height=\"" + std::to_string(f.height) +
                      "\" font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif\" "
                      "font-size=\"12\">";
    out += "<title>" + io::escape_xml(f.title) + "</title>";
    out += "<rect x=\"0\" y=\"0\" width=\"" + std::to_string(f.width) + "\" height=\"" + std::to_string(f.height) +
           "\" fill=\"#ffffff\"/>";
    out += "<text x=\"" + std::to_string(f.width / 2) + "\" y=\"20\" text-anchor=\"middle\" font-size=\"14\" font-weight=\"600\" fill=\"#222\">" +
           io::escape_xml(f.title) + "</text>";
    return out;
}

inline std::string text(double x, double y, std::string_view content, std::string_view anchor = "start",
                        std::string_view extra = "") {
    return "<text x=\"" + coordinate(x) + "\" y=\"" + coordinate(y) + "\" text-anchor=\"" + std::string(anchor) + "\" fill=\"#333\"" +
           (extra.empty() ? "" : " " + std::string(extra)) + ">" + io::escape_xml(content) + "</text>";
}

inline std::string line(double x1, double y1, double x2, double y2, std::string_view stroke, std::string_view extra = "") {
    return "<line x1=\"" + coordinate(x1) + "\" y1=\"" + coordinate(y1) + "\" x2=\"" + coordinate(x2) + "\" y2=\"" +
           coordinate(y2) + "\" stroke=\"" + std::string(stroke) + "\"" + (extra.empty() ? "" : " " + std::string(extra)) + "/>";
}

inline std::string rect(double x, double y, double w, double h, std::string_view fill, std::string_view tooltip = "") {
    std::string out = "<rect x=\"" + coordinate(x) + "\" y=\"" + coordinate(y) + "\" width=\"" + coordinate(std::max(w, 0.0)) +
                      "\" height=\"" + coordinate(std::max(h, 0.0)) + "\" fill=\"" + std::string(fill) + "\"";
    if (tooltip.empty()) return out + "/>";
    return out + "><title>" + io::escape_xml(tooltip) + "</title></rect>";
}

/// The legend, one swatch and name per entry, in rows under the title (`lay_out_legend`).
inline std::string legend(const frame& f, const std::vector<std::pair<std::string, std::string>>& entries,
                          const std::vector<bool>& dashed = {}) {
    std::vector<std::string> names;
    for (const auto& entry : entries) names.push_back(entry.first);
    const legend_layout layout = lay_out_legend(f, names);
    std::string out;
    for (std::size_t k = 0; k < entries.size(); ++k) {
        const auto& [name, colour] = entries[k];
        const auto [x, row] = layout.place[k];
        const double y = 40 + 18.0 * row;
        const bool dash = k < dashed.size() && dashed[k];
        out += line(x, y, x + 22, y, colour, dash ? "stroke-width=\"3\" stroke-dasharray=\"6 4\"" : "stroke-width=\"6\"");
        out += text(x + 28, y + 4, name);
    }
    return out;
}

/// Rows of legend a chart of these series needs (none for a single series).
template <class Series>
int legend_rows(const frame& f, const std::vector<Series>& series) {
    if (series.size() < 2) return 0;
    std::vector<std::string> names;
    for (const auto& s : series) names.push_back(s.name);
    return lay_out_legend(f, names).rows;
}

/// Grid lines, tick labels and the title of the value (y) axis.
inline std::string y_axis(const frame& f, const plot_area& a, const scale& y, const std::vector<double>& ticks) {
    std::string out;
    const double step = ticks.size() > 1 ? ticks[1] - ticks[0] : 0;
    for (double t : ticks) {
        out += line(a.left, y(t), a.right, y(t), "#e3e3e3");
        out += text(a.left - 6, y(t) + 4, format_tick(t, f.y.style, step), "end");
    }
    const double middle = (a.top + a.bottom) / 2;
    out += text(16, middle, axis_title(f.y), "middle", "transform=\"rotate(-90 16 " + coordinate(middle) + ")\"");
    return out;
}

inline std::string x_axis_title(const frame& f, const plot_area& a) {
    return line(a.left, a.bottom, a.right, a.bottom, "#555") + text((a.left + a.right) / 2, f.height - 10, axis_title(f.x), "middle");
}

inline std::pair<double, double> range_of(const std::vector<const std::vector<double>*>& columns) {
    double low = INFINITY, high = -INFINITY;
    for (const auto* column : columns)
        for (double v : *column)
            if (std::isfinite(v)) {
                low = std::min(low, v);
                high = std::max(high, v);
            }
    if (!std::isfinite(low)) return {0, 1};
    return {low, high};
}

}  // namespace detail

/// A line chart of `series` (each with its own colour, from `palette` unless it names one, dashed or
/// with point markers as asked) over common axes, with a legend when there are several series and vertical
/// `markers` (e.g. the end of the calibration period). Throws `invalid_input` for no series or
/// series whose x and y lengths differ.
inline std::string line_chart(const frame& f, const std::vector<line_series>& series,
                              const std::vector<marker_line>& markers = {}) {
    if (series.empty()) throw invalid_input("series", "", "a line chart needs at least one series", {f.title});
    std::vector<const std::vector<double>*> xs, ys;
    for (const auto& s : series) {
        if (s.x.size() != s.y.size())
            throw invalid_input(s.name, std::to_string(s.y.size()), "x and y need the same length (" + std::to_string(s.x.size()) + ")",
                                {f.title});
        xs.push_back(&s.x);
        ys.push_back(&s.y);
    }
    auto [x_low, x_high] = detail::range_of(xs);
    auto [y_low, y_high] = detail::range_of(ys);
    x_low = f.x.min.value_or(x_low);
    x_high = f.x.max.value_or(x_high);
    y_low = f.y.min.value_or(std::min(0.0, y_low));
    y_high = f.y.max.value_or(y_high);
    const bool legend = series.size() > 1;
    const detail::plot_area a = detail::area_of(f, detail::legend_rows(f, series));
    const std::vector<double> y_ticks = nice_ticks(y_low, y_high);
    const std::vector<double> x_ticks = nice_ticks(x_low, x_high, 8);
    if (!f.y.max) y_high = y_ticks.back();
    if (!f.y.min) y_low = y_ticks.front();
    if (x_high == x_low) x_high = x_low + 1;
    const detail::scale x{x_low, x_high, a.left, a.right}, y{y_low, y_high, a.bottom, a.top};
    std::string out = detail::open_chart(f) + detail::y_axis(f, a, y, y_ticks);
    const double x_step = x_ticks.size() > 1 ? x_ticks[1] - x_ticks[0] : 0;
    for (double t : x_ticks) {
        if (t < x_low - 1e-9 * std::abs(x_high - x_low) || t > x_high + 1e-9 * std::abs(x_high - x_low)) continue;
        out += detail::line(x(t), a.bottom, x(t), a.bottom + 5, "#555");
        out += detail::text(x(t), a.bottom + 18, format_tick(t, f.x.style, x_step), "middle");
    }
    out += detail::x_axis_title(f, a);
    for (const auto& m : markers) {
        if (!(m.x >= x_low && m.x <= x_high)) continue;
        out += detail::line(x(m.x), a.top, x(m.x), a.bottom, "#777", "stroke-dasharray=\"3 3\"");
        out += detail::text(x(m.x) + 4, a.top + 12, m.label, "start", "font-size=\"11\" fill=\"#555\"");
    }
    std::vector<std::pair<std::string, std::string>> entries;
    std::vector<bool> dashed;
    for (std::size_t k = 0; k < series.size(); ++k) {
        const auto& s = series[k];
        const std::string colour = s.colour.empty() ? std::string(palette[k % palette.size()]) : s.colour;
        entries.emplace_back(s.name, colour);
        dashed.push_back(s.dashed);
        std::string path;
        bool pen_down = false;
        for (std::size_t i = 0; i < s.x.size(); ++i) {
            if (!std::isfinite(s.x[i]) || !std::isfinite(s.y[i])) {
                pen_down = false;
                continue;
            }
            path += (pen_down ? " L" : " M") + detail::coordinate(x(s.x[i])) + ' ' + detail::coordinate(y(s.y[i]));
            pen_down = true;
        }
        if (!path.empty())
            out += "<path d=\"" + path.substr(1) + "\" fill=\"none\" stroke=\"" + colour + "\" stroke-width=\"2\"" +
                   (s.dashed ? " stroke-dasharray=\"6 4\"" : "") + "><title>" + io::escape_xml(s.name) + "</title></path>";
        if (s.markers)
            for (std::size_t i = 0; i < s.x.size(); ++i)
                if (std::isfinite(s.x[i]) && std::isfinite(s.y[i]))
                    out += "<circle cx=\"" + detail::coordinate(x(s.x[i])) + "\" cy=\"" + detail::coordinate(y(s.y[i])) +
                           "\" r=\"3\" fill=\"" + colour + "\"/>";
    }
    if (legend) out += detail::legend(f, entries, dashed);
    return out + "</svg>";
}

/// A grouped bar chart: one group of bars per category (x axis), one bar per series in each group,
/// the value axis from 0 (or `f.y.min`). Each bar carries its exact value as a tooltip.
inline std::string bar_chart(const frame& f, const std::vector<std::string>& categories, const std::vector<bar_series>& series) {
    if (series.empty() || categories.empty())
        throw invalid_input("series", "", "a bar chart needs at least one category and one series", {f.title});
    std::vector<const std::vector<double>*> values;
    for (const auto& s : series) {
        if (s.values.size() != categories.size())
            throw invalid_input(s.name, std::to_string(s.values.size()),
                                "one value per category is needed (" + std::to_string(categories.size()) + ")", {f.title});
        values.push_back(&s.values);
    }
    auto [low, high] = detail::range_of(values);
    low = f.y.min.value_or(std::min(0.0, low));
    high = f.y.max.value_or(std::max(0.0, high));
    const bool legend = series.size() > 1;
    const detail::plot_area a = detail::area_of(f, detail::legend_rows(f, series));
    const std::vector<double> ticks = nice_ticks(low, high);
    if (!f.y.max) high = ticks.back();
    if (!f.y.min) low = ticks.front();
    const detail::scale y{low, high, a.bottom, a.top};
    std::string out = detail::open_chart(f) + detail::y_axis(f, a, y, ticks);
    const double group = a.width() / static_cast<double>(categories.size());
    const double bar = group * 0.8 / static_cast<double>(series.size());
    const std::size_t label_every = std::max<std::size_t>(1, categories.size() / 20);
    std::vector<std::pair<std::string, std::string>> entries;
    for (std::size_t s = 0; s < series.size(); ++s) {
        const std::string colour(palette[s % palette.size()]);
        entries.emplace_back(series[s].name, colour);
        for (std::size_t k = 0; k < categories.size(); ++k) {
            const double v = series[s].values[k];
            if (!std::isfinite(v)) continue;
            const double left = a.left + group * (static_cast<double>(k) + 0.1) + bar * static_cast<double>(s);
            const double top = y(std::max(v, 0.0)), bottom = y(std::min(v, 0.0));
            out += detail::rect(left, top, bar - 1, bottom - top, colour,
                                series[s].name + ", " + categories[k] + ": " + format_tick(v, f.y.style, 0));
        }
    }
    for (std::size_t k = 0; k < categories.size(); k += label_every)
        out += detail::text(a.left + group * (static_cast<double>(k) + 0.5), a.bottom + 18, categories[k], "middle");
    out += detail::x_axis_title(f, a);
    if (legend) out += detail::legend(f, entries);
    return out + "</svg>";
}

/// The colour of `share` in [0, 1] on a light-to-dark blue scale (linear in RGB between the ends of
/// ColorBrewer's "Blues"), so darker means more in print as on screen.
inline std::string sequential_colour(double share) {
    const double t = std::isfinite(share) ? std::clamp(share, 0.0, 1.0) : 0.0;
    constexpr std::array<double, 3> light{247, 251, 255}, dark{8, 48, 107};
    std::array<char, 8> buffer{};
    std::snprintf(buffer.data(), buffer.size(), "#%02x%02x%02x", static_cast<int>(std::lround(light[0] + t * (dark[0] - light[0]))),
                  static_cast<int>(std::lround(light[1] + t * (dark[1] - light[1]))),
                  static_cast<int>(std::lround(light[2] + t * (dark[2] - light[2]))));
    return buffer.data();
}

/// A heat map: `values[r][c]` coloured on `sequential_colour` between the smallest and largest
/// finite value (NaN cells, e.g. impossible histories, are left grey), row r labelled
/// `row_labels[r]` on the y axis (drawn bottom-up, so a row index reads as a height), column c
/// `column_labels[c]` on the x axis, and a colour legend with its numbers on the right.
inline std::string heat_map(const frame& f, const std::vector<std::string>& row_labels,
                            const std::vector<std::string>& column_labels, const std::vector<std::vector<double>>& values,
                            number_style legend_style = number_style::plain) {
    if (row_labels.empty() || column_labels.empty() || values.size() != row_labels.size())
        throw invalid_input("values", std::to_string(values.size()), "a heat map needs one row of values per row label",
                            {f.title});
    double low = INFINITY, high = -INFINITY;
    for (const auto& row : values) {
        if (row.size() != column_labels.size())
            throw invalid_input("values", std::to_string(row.size()),
                                "each row needs one value per column label (" + std::to_string(column_labels.size()) + ")",
                                {f.title});
        for (double v : row)
            if (std::isfinite(v)) {
                low = std::min(low, v);
                high = std::max(high, v);
            }
    }
    if (!std::isfinite(low)) low = high = 0;
    detail::plot_area a = detail::area_of(f, 0);
    a.right -= 70;  // room for the colour legend
    const double cell_w = a.width() / static_cast<double>(column_labels.size());
    const double cell_h = a.height() / static_cast<double>(row_labels.size());
    std::string out = detail::open_chart(f);
    auto share = [&](double v) { return high > low ? (v - low) / (high - low) : 0.5; };
    for (std::size_t r = 0; r < row_labels.size(); ++r) {
        const double top = a.bottom - cell_h * static_cast<double>(r + 1);
        for (std::size_t c = 0; c < column_labels.size(); ++c) {
            const double v = values[r][c];
            const std::string tip = detail::axis_title(f.y) + " " + row_labels[r] + ", " + detail::axis_title(f.x) + " " +
                                    column_labels[c] + ": " + (std::isfinite(v) ? format_tick(v, legend_style, 0) : "no such customer");
            out += detail::rect(a.left + cell_w * static_cast<double>(c), top, cell_w + 0.3, cell_h + 0.3,
                                std::isfinite(v) ? sequential_colour(share(v)) : "#dddddd", tip);
        }
    }
    const std::size_t row_every = (row_labels.size() + 9) / 10;  // at most 10 labels on each axis
    for (std::size_t r = 0; r < row_labels.size(); r += row_every)
        out += detail::text(a.left - 6, a.bottom - cell_h * (static_cast<double>(r) + 0.5) + 4, row_labels[r], "end");
    const std::size_t column_every = (column_labels.size() + 9) / 10;
    for (std::size_t c = 0; c < column_labels.size(); c += column_every)
        out += detail::text(a.left + cell_w * (static_cast<double>(c) + 0.5), a.bottom + 18, column_labels[c], "middle");
    out += detail::x_axis_title(f, a);
    const double middle = (a.top + a.bottom) / 2;
    out += detail::text(16, middle, detail::axis_title(f.y), "middle", "transform=\"rotate(-90 16 " + detail::coordinate(middle) + ")\"");
    constexpr int steps = 10;
    const double legend_x = a.right + 14, step_h = a.height() / steps;
    for (int k = 0; k < steps; ++k)
        out += detail::rect(legend_x, a.bottom - step_h * (k + 1), 14, step_h + 0.3, sequential_colour((k + 0.5) / steps));
    const double tick_step = (high - low) / 4;
    for (int k = 0; k <= 4; ++k) {
        const double v = low + tick_step * k;
        out += detail::text(legend_x + 18, a.bottom - a.height() * k / 4 + 4, format_tick(v, legend_style, tick_step));
    }
    return out + "</svg>";
}

/// The Lorenz curve of value (customers from the least to the most valuable on x, the share of all
/// value they hold on y), against the line of equal shares; `gini` (area between them, doubled)
/// is shown in the legend.
inline std::string lorenz_chart(const frame& f, const std::vector<double>& population_share, const std::vector<double>& value_share,
                                double gini) {
    frame g = f;
    g.x.style = g.y.style = number_style::percent;
    g.x.min = g.y.min = 0.0;
    g.x.max = g.y.max = 1.0;
    line_series curve{"Customers' share of value (Gini " + io::format_number(gini, 2) + ")", population_share, value_share};
    curve.x.insert(curve.x.begin(), 0.0);
    curve.y.insert(curve.y.begin(), 0.0);
    return line_chart(g, {curve, line_series{"Equal shares", {0.0, 1.0}, {0.0, 1.0}, true}});
}

}  // namespace clv::svg
