// SQL that computes `clv summarize`'s customer summary inside a database engine, for logs too large
// to leave the warehouse: the GROUP BY runs where the data is, and only the summary (or, with
// `compressed`, the small weighted table of unique (frequency, recency, T) rows) comes out.
//
// The query follows data/summarize.hpp step by step, on integer day numbers (days since
// 1970-01-01): rows after the observation end are left out; a customer's rows on one day are one
// purchase whose amounts are summed; the first purchase day opens the customer; frequency counts
// the later purchase days up to the calibration end; recency and T are day differences divided by
// the unit's length in days, after the subtraction, as `transaction_summarizer` does; monetary
// values are means of the repeat days' totals. Sums of doubles may be added in another order than
// in `clv summarize`, so monetary values agree to rounding (about 1e-15 relative), the other
// columns exactly.
#pragma once

#include <clv/core/calendar.hpp>
#include <clv/core/detail/utf8.hpp>
#include <clv/core/errors.hpp>
#include <clv/data/summarize.hpp>
#include <clv/io/summary_csv.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace clv {

/// The engines whose SQL `summary_sql` writes.
enum class sql_dialect { sqlite, postgres, duckdb, spark, bigquery };

/// "sqlite", "postgres", "duckdb", "spark" or "bigquery".
inline sql_dialect parse_sql_dialect(std::string_view text) {
    if (text == "sqlite") return sql_dialect::sqlite;
    if (text == "postgres") return sql_dialect::postgres;
    if (text == "duckdb") return sql_dialect::duckdb;
    if (text == "spark") return sql_dialect::spark;
    if (text == "bigquery") return sql_dialect::bigquery;
    throw invalid_input("dialect", std::string(text), "expected sqlite, postgres, duckdb, spark or bigquery");
}

/// What `summary_sql` summarizes and how. Dates are day numbers (days since 1970-01-01), both ends
/// inclusive, as in `summary_options`.
struct sql_summary_options {
    sql_dialect dialect = sql_dialect::postgres;
    std::string table;            ///< table or view; "schema.table" or "project.dataset.table" parts are quoted one by one
    std::string customer_column;  ///< customer id column
    std::string date_column;      ///< purchase date: ISO text 'YYYY-MM-DD' (a time of day may follow) or a date/timestamp type
    std::string amount_column;    ///< purchase value column; empty: monetary values are 0
    double unit_days = 1.0;       ///< length of the output time unit in days
    std::optional<std::int64_t> observation_end;  ///< default: the last date in the table; later rows are left out
    std::optional<std::int64_t> calibration_end;  ///< when set: calibration summary plus holdout columns
    negative_amounts negative = negative_amounts::error;  ///< as `summary_options::negative`; `error` is not checked by the SQL
    bool compressed = false;      ///< unique (frequency, recency, T) rows with a `weight` column instead of customers
};

/// `name` as one quoted identifier of `dialect`: backticks for SQLite (whose double quotes turn an
/// unknown column into a string constant), Spark and BigQuery, double quotes otherwise, the quote
/// character doubled inside. Throws `invalid_input` naming `field` for a name that cannot be quoted
/// safely: empty, with a control character, not valid UTF-8, or (BigQuery, where backslashes are
/// escapes) holding a backtick or a backslash.
inline std::string quote_sql_identifier(std::string_view name, sql_dialect dialect, const std::string& field) {
    if (name.empty()) throw invalid_input(field, "", "empty name");
    for (std::size_t i = 0; i < name.size();) {
        const auto byte = static_cast<unsigned char>(name[i]);
        if (byte < 0x20 || byte == 0x7f)
            throw invalid_input(field, std::string(name), "a name cannot hold a control character (byte " +
                                                              std::to_string(byte) + " at " + std::to_string(i + 1) + ")");
        const std::size_t length = detail::utf8_sequence_length(name, i);
        if (length == 0) throw invalid_input(field, std::string(name), "not valid UTF-8 at byte " + std::to_string(i + 1));
        i += length;
    }
    if (dialect == sql_dialect::bigquery && name.find_first_of("`\\") != std::string_view::npos)
        throw invalid_input(field, std::string(name), "a BigQuery name cannot hold a backtick or a backslash");
    const bool backtick = dialect == sql_dialect::sqlite || dialect == sql_dialect::spark || dialect == sql_dialect::bigquery;
    const char quote = backtick ? '`' : '"';
    std::string quoted(1, quote);
    for (const char c : name) {
        if (c == quote) quoted.push_back(quote);
        quoted.push_back(c);
    }
    quoted.push_back(quote);
    return quoted;
}

/// A table name whose parts, separated by dots, are quoted one by one ("sales.orders" ->
/// "sales"."orders"); an empty part is an error.
inline std::string quote_sql_table(std::string_view name, sql_dialect dialect, const std::string& field = "table") {
    if (name.empty()) throw invalid_input(field, "", "empty name");
    std::string quoted;
    for (std::size_t begin = 0;;) {
        const std::size_t dot = name.find('.', begin);
        const std::string_view part = name.substr(begin, dot == std::string_view::npos ? std::string_view::npos : dot - begin);
        if (part.empty()) throw invalid_input(field, std::string(name), "empty part in a dotted name");
        quoted += quote_sql_identifier(part, dialect, field);
        if (dot == std::string_view::npos) return quoted;
        quoted += '.';
        begin = dot + 1;
    }
}

namespace detail {

inline std::string sql_double_type(sql_dialect dialect) {
    switch (dialect) {
    case sql_dialect::sqlite: return "REAL";
    case sql_dialect::postgres: return "DOUBLE PRECISION";
    case sql_dialect::bigquery: return "FLOAT64";
    default: return "DOUBLE";
    }
}

// The day number (days since 1970-01-01) of `date`, an ISO text or the engine's date or timestamp.
inline std::string sql_day_number(const std::string& date, sql_dialect dialect) {
    switch (dialect) {
    // date() reads 'YYYY-MM-DD' with or without a time of day and drops the time; julianday of a
    // midnight is a whole number plus 0.5, exact in a double.
    case sql_dialect::sqlite: return "CAST(julianday(date(" + date + ")) - 2440587.5 AS INTEGER)";
    case sql_dialect::postgres: return "CAST(" + date + " AS DATE) - DATE '1970-01-01'";
    case sql_dialect::duckdb: return "date_diff('day', DATE '1970-01-01', CAST(" + date + " AS DATE))";
    case sql_dialect::spark: return "datediff(CAST(" + date + " AS DATE), DATE '1970-01-01')";
    case sql_dialect::bigquery: return "UNIX_DATE(CAST(" + date + " AS DATE))";
    }
    return {};
}

}  // namespace detail

/// One SELECT statement over `options.table` that gives `clv summarize`'s columns and values
/// (customer_id, frequency, recency, T, monetary_value, and with a calibration end
/// frequency_holdout, monetary_value_holdout, duration_holdout), one row per customer in no
/// particular order; or, with `options.compressed`, the columns frequency, recency, T, weight: one
/// row per distinct (frequency, recency, T) and the number of customers that have it, as
/// `clv fit --weight-col weight` reads. Conventions: see data/summarize.hpp (lifetimes'
/// `summary_data_from_transaction_data` and `calibration_and_holdout_data`, BTYD's `elog2cbs`).
///
/// Where the SQL cannot do what `clv summarize` does, it says so in the result instead: rows whose
/// customer or date is NULL (in SQLite: also a date text it cannot read) are left out; a negative
/// amount under `negative_amounts::error` is summed like any other (check the table first); a
/// calibration end after the default observation end gives no rows (summarize: an error).
/// Throws `invalid_input` for a name that cannot be quoted (see `quote_sql_identifier`), a time
/// unit that is not a positive number of days, or a calibration end after the observation end.
inline std::string summary_sql(const sql_summary_options& options) {
    summary_options summary;
    summary.unit_days = options.unit_days;
    summary.observation_end = options.observation_end;
    summary.calibration_end = options.calibration_end;
    summary.check();
    const sql_dialect dialect = options.dialect;
    const std::string table = quote_sql_table(options.table, dialect);
    const std::string customer = quote_sql_identifier(options.customer_column, dialect, "customer column");
    const std::string date = quote_sql_identifier(options.date_column, dialect, "date column");
    const std::string real = detail::sql_double_type(dialect);
    const std::string amount =
        options.amount_column.empty() ? "CAST(0 AS " + real + ")"
                                      : "CAST(" + quote_sql_identifier(options.amount_column, dialect, "amount column") +
                                            " AS " + real + ")";
    auto alias = [&](std::string_view name) { return quote_sql_identifier(name, dialect, "column"); };
    auto number = [](double value) {
        std::string text;
        io::append_number(text, value);
        return text;
    };
    // A whole number of days in the output unit: converted to a double first, then divided once.
    auto in_unit = [&](const std::string& days) {
        const std::string converted = "CAST(" + days + " AS " + real + ")";
        return options.unit_days == 1.0 ? converted : converted + " / CAST(" + number(options.unit_days) + " AS " + real + ")";
    };
    const bool holdout = options.calibration_end.has_value() && !options.compressed;
    const std::string observation_end =
        options.observation_end ? std::to_string(*options.observation_end) : "observation_end";
    const std::string calibration_end =
        options.calibration_end ? std::to_string(*options.calibration_end) : observation_end;
    const std::string in_calibration =
        options.calibration_end ? " AND purchase_day <= " + calibration_end : std::string();

    std::string sql = "-- clv summarize's per-customer summary";
    if (options.compressed) sql += ", compressed to weighted unique (frequency, recency, T) rows";
    sql += "\n-- time unit: " + number(options.unit_days) + " day(s); observation end: " +
           (options.observation_end ? iso_date(*options.observation_end) : "the last date in the table") +
           (options.calibration_end ? "; calibration end: " + iso_date(*options.calibration_end) : "") + "\n";
    sql += "WITH purchases AS (\n"
           "    SELECT " + customer + " AS customer_id,\n"
           "           " + detail::sql_day_number(date, dialect) + " AS purchase_day,\n"
           "           " + amount + " AS amount\n"
           "    FROM " + table + "\n"
           "),\n"
           "observed AS (\n"
           "    SELECT customer_id, purchase_day, amount\n"
           "    FROM purchases\n"
           "    WHERE customer_id IS NOT NULL AND purchase_day IS NOT NULL";
    if (options.observation_end) sql += " AND purchase_day <= " + observation_end;
    if (options.negative == negative_amounts::drop) sql += " AND amount >= 0";
    sql += "\n),\n";
    if (!options.observation_end)
        sql += "observation AS (\n"
               "    SELECT MAX(purchase_day) AS observation_end FROM observed\n"
               "),\n";
    sql += "purchase_days AS (\n"
           "    SELECT customer_id, purchase_day, SUM(amount) AS total\n"
           "    FROM observed\n"
           "    GROUP BY customer_id, purchase_day\n";
    // A day that holds a refund and nets to zero or less is not a purchase (negative_amounts::net).
    if (options.negative == negative_amounts::net) sql += "    HAVING NOT (SUM(amount) <= 0 AND MIN(amount) < 0)\n";
    sql += "),\n"
           "customer_days AS (\n"
           "    SELECT customer_id, purchase_day, total, MIN(purchase_day) OVER (PARTITION BY customer_id) AS first_day\n"
           "    FROM purchase_days\n"
           "),\n"
           "customers AS (\n"
           "    SELECT customer_id,\n"
           "           COUNT(CASE WHEN purchase_day > first_day" + in_calibration + " THEN 1 END) AS frequency,\n";
    sql += options.calibration_end
               ? "           MAX(CASE WHEN purchase_day <= " + calibration_end + " THEN purchase_day END) - first_day AS recency_days,\n"
               : "           MAX(purchase_day) - first_day AS recency_days,\n";
    sql += "           " + calibration_end + " - first_day AS age_days";
    if (!options.compressed)
        sql += ",\n           COALESCE(AVG(CASE WHEN purchase_day > first_day" + in_calibration +
               " THEN total END), 0) AS monetary_value";
    if (holdout)
        sql += ",\n           COUNT(CASE WHEN purchase_day > " + calibration_end + " THEN 1 END) AS frequency_holdout,\n"
               "           COALESCE(AVG(CASE WHEN purchase_day > " + calibration_end +
               " THEN total END), 0) AS monetary_value_holdout,\n"
               "           " + observation_end + " - " + calibration_end + " AS holdout_days";
    sql += "\n    FROM customer_days";
    if (!options.observation_end) sql += " CROSS JOIN observation";
    // Customers first seen after the calibration end are left out, as by lifetimes and BTYD.
    sql += "\n    WHERE first_day <= " + calibration_end;
    if (options.calibration_end && !options.observation_end) sql += " AND " + calibration_end + " <= observation_end";
    sql += "\n    GROUP BY customer_id, first_day";
    if (!options.observation_end) sql += ", observation_end";
    sql += "\n)\n";
    if (options.compressed) {
        return sql + "SELECT frequency AS " + alias("frequency") + ",\n"
                     "       " + in_unit("recency_days") + " AS " + alias("recency") + ",\n"
                     "       " + in_unit("age_days") + " AS " + alias("T") + ",\n"
                     "       COUNT(*) AS " + alias("weight") + "\n"
                     "FROM customers\n"
                     "GROUP BY frequency, recency_days, age_days\n"
                     "ORDER BY 1, 2, 3;\n";
    }
    sql += "SELECT customer_id AS " + alias("customer_id") + ",\n"
           "       frequency AS " + alias("frequency") + ",\n"
           "       " + in_unit("recency_days") + " AS " + alias("recency") + ",\n"
           "       " + in_unit("age_days") + " AS " + alias("T") + ",\n"
           "       monetary_value AS " + alias("monetary_value");
    if (holdout)
        sql += ",\n       frequency_holdout AS " + alias("frequency_holdout") + ",\n"
               "       monetary_value_holdout AS " + alias("monetary_value_holdout") + ",\n"
               "       " + in_unit("holdout_days") + " AS " + alias("duration_holdout");
    return sql + "\nFROM customers;\n";
}

}  // namespace clv
