// The `clv` program. Each command lives in its own header and registers itself on the CLI11 app.
// Every error, from the argument parser or from the library, reaches the user as one line
// `clv: error: ...` on stderr with exit status 1 (2: a fit that did not converge); --help and
// --version print and exit 0.
#include "command_compare.hpp"
#include "command_evaluate.hpp"
#include "command_fit.hpp"
#include "command_matrix.hpp"
#include "command_predict.hpp"
#include "command_report.hpp"
#include "command_simple.hpp"
#include "command_sql.hpp"
#include "command_show.hpp"
#include "command_summarize.hpp"
#include "command_track.hpp"
#include "command_value.hpp"

#include <clv/core/edit_distance.hpp>

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cctype>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

namespace {

/// Every name an option of `command` answers to, with its dashes ("--input", "-h").
std::vector<std::string> option_names(const CLI::App& command) {
    std::vector<std::string> names;
    for (const CLI::Option* option : command.get_options()) {
        for (const std::string& name : option->get_lnames()) names.push_back("--" + name);
        for (const std::string& name : option->get_snames()) names.push_back("-" + name);
    }
    return names;
}

bool contains(const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
    const std::vector<std::string> close = clv::close_names(word, candidates);
    return close.empty() ? std::string() : "; did you mean " + close.front() + "?";
}

/// One line saying what is wrong with the command line, naming the closest valid command or option
/// for a misspelt one. CLI11's own message is the fallback.
std::string describe(const CLI::App& app, const CLI::ParseError& error, const std::vector<std::string>& args) {
    std::vector<std::string> commands;
    for (const CLI::App* command : app.get_subcommands([](const CLI::App*) { return true; }))
        commands.push_back(command->get_name());
    const CLI::App* command = nullptr;
    std::size_t first = 0;
    for (; first < args.size() && !command; ++first)
        if (contains(commands, args[first])) command = app.get_subcommand(args[first]);
    if (!command) {
        for (const std::string& arg : args)
            if (!arg.empty() && arg.front() != '-')
                return "unknown command '" + arg + "'" + did_you_mean(arg, commands) + " (see clv --help)";
        std::string list;
        for (const std::string& name : commands) list += (list.empty() ? "" : ", ") + name;
        return "no command given; expected one of " + list + " (see clv --help)";
    }
    const std::string context = "clv " + command->get_name();
    const std::vector<std::string> known = option_names(*command);
    for (std::size_t i = first; i < args.size(); ++i) {
        const std::string name = args[i].substr(0, args[i].find('='));
        if (name.size() > 1 && name.front() == '-' && !contains(known, name) && name != "--" &&
            !(name.size() > 1 && (std::isdigit(static_cast<unsigned char>(name[1])) || name[1] == '.')))
            return context + ": unknown option " + name + did_you_mean(name, known) + " (see " + context + " --help)";
    }
    std::string message = error.what();
    for (char& c : message)
        if (c == '\n') c = ' ';
    if (const std::string prefix = "Could not convert: "; message.rfind(prefix, 0) == 0) {
        const auto equals = message.find(" = ");
        if (equals != std::string::npos)
            message = message.substr(prefix.size(), equals - prefix.size()) + ": '" + message.substr(equals + 3) +
                      "' is not a number";
    } else if (dynamic_cast<const CLI::ExtrasError*>(&error)) {
        const auto colon = message.find(": ");
        message = "unexpected argument" + (colon == std::string::npos ? ": " + message : message.substr(colon));
    }
    return context + ": " + message + " (see " + context + " --help)";
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"clv: customer lifetime value models (simple CLV, BG/NBD, Pareto/NBD, MBG/NBD)"};
    app.require_subcommand(1);
    app.set_version_flag("--version", clv::version);
    // In the order of a workflow: value by hand, then log -> summary -> fit -> predictions.
    clv_cli::add_simple_command(app);
    clv_cli::add_summarize_command(app);
    clv_cli::add_sql_command(app);
    clv_cli::add_fit_command(app);
    clv_cli::add_show_command(app);
    clv_cli::add_predict_command(app);
    clv_cli::add_evaluate_command(app);
    clv_cli::add_track_command(app);
    clv_cli::add_matrix_command(app);
    clv_cli::add_compare_command(app);
    clv_cli::add_value_command(app);
    clv_cli::add_report_command(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::Success& e) {
        return app.exit(e);  // --help, --version: their text on stdout, status 0
    } catch (const CLI::ParseError& e) {
        std::cerr << "clv: error: " << describe(app, e, std::vector<std::string>(argv + 1, argv + argc)) << '\n';
        return 1;
    } catch (const clv_cli::not_converged& e) {
        std::cerr << "clv: error: " << e.what() << '\n';
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "clv: error: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
