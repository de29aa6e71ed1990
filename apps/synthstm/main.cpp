// synthstm: simulated STM images from the atoms up.
#include <cstdio>
#include <exception>

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include "commands.hpp"
#include "synthstm/core/error.hpp"

int main(int argc, char** argv) {
    CLI::App app{"synthstm: simulated scanning tunneling microscope images from tight-binding physics"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "synthstm 0.4.0");
    synthstm::cli::register_ldos(app);
    synthstm::cli::register_tip(app);
    synthstm::cli::register_render(app);
    synthstm::cli::register_generate(app);
    synthstm::cli::register_inspect(app);
    synthstm::cli::register_bench(app);
    synthstm::cli::register_train(app);
    synthstm::cli::register_lr_find(app);
    synthstm::cli::register_evaluate(app);
    synthstm::cli::register_predict(app);
    synthstm::cli::register_gui(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        // Usage errors: one line, exit code 2 like every other bad input.
        fmt::print(stderr, "synthstm: error: {}\n", e.what());
        return 2;
    } catch (const synthstm::Error& e) {
        fmt::print(stderr, "synthstm: error: {}\n", e.what());
        return e.kind() == synthstm::ErrorKind::Internal ? 1 : 2;
    } catch (const std::exception& e) {
        fmt::print(stderr, "synthstm: internal error: {}\n", e.what());
        return 1;
    }
    return 0;
}
