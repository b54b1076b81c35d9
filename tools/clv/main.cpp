// The `clv` command-line program. Each command lives in its own header and registers itself on
// the CLI11 app; errors from the library reach the user as one line on stderr and exit code 1.
#include "command_fit.hpp"
#include "command_predict.hpp"
#include "command_simple.hpp"
#include "command_summarize.hpp"

#include <CLI/CLI.hpp>

#include <exception>
#include <iostream>

int main(int argc, char** argv) {
    CLI::App app{"clv: customer lifetime value models (simple CLV, BG/NBD, Pareto/NBD, MBG/NBD)"};
    app.require_subcommand(1);
    app.set_version_flag("--version", clv::version);
    // In the order of a workflow: value by hand, then log -> summary -> fit -> predictions.
    clv_cli::add_simple_command(app);
    clv_cli::add_summarize_command(app);
    clv_cli::add_fit_command(app);
    clv_cli::add_predict_command(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    } catch (const clv_cli::not_converged& e) {
        std::cerr << "clv: error: " << e.what() << '\n';
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "clv: error: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
