// synthstm gui: a web page to choose parameters, render one sample with every channel, save and
// load parameter files and generate a dataset (docs/gui.md).
#include <cstdio>

#include <fmt/format.h>

#include "commands.hpp"
#include "synthstm/core/error.hpp"
#if SYNTHSTM_HAVE_GUI
#include "synthstm/gui/server.hpp"
#endif

namespace synthstm::cli {
namespace {

struct GuiOptions {
    std::string host = "127.0.0.1";
    int port = 8050;
    std::string params_dir = "synthstm-params";
    int workers = 2;
};

void run_gui(const GuiOptions& o) {
#if SYNTHSTM_HAVE_GUI
    if (o.port < 0 || o.port > 65535) invalid_input(fmt::format("--port must be from 0 to 65535, got {}", o.port));
    if (o.workers < 1 || o.workers > 64) invalid_input(fmt::format("--workers must be from 1 to 64, got {}", o.workers));
    gui::ServerOptions options;
    options.host = o.host;
    options.port = o.port;
    options.params_dir = o.params_dir;
    options.workers = o.workers;
    gui::Server server(options);
    // The first line names the address (tests read the port from it when --port 0).
    fmt::print("synthstm gui: serving http://{}:{}/ (parameter files in {}); Ctrl-C stops\n", o.host, server.port(),
               o.params_dir);
    std::fflush(stdout);
    if (!server.listen()) io_error(fmt::format("the server on {}:{} stopped with an error", o.host, server.port()));
#else
    (void)o;
    invalid_input("this synthstm was built without the GUI (install libcpp-httplib-dev and rebuild)");
#endif
}

}  // namespace

void register_gui(CLI::App& app) {
    auto o = std::make_shared<GuiOptions>();
    CLI::App* cmd = app.add_subcommand("gui", "Web page: choose parameters, render a sample, save and load parameter "
                                              "files, generate a dataset");
    cmd->add_option("--port", o->port, "port to listen on (0: any free port)")->capture_default_str();
    cmd->add_option("--host", o->host, "address to listen on (other machines can connect unless it is loopback)")
        ->capture_default_str();
    cmd->add_option("--params-dir", o->params_dir, "directory of the saved parameter files (and datasets/)")
        ->capture_default_str();
    cmd->add_option("--workers", o->workers, "renders run at once")->capture_default_str();
    cmd->callback([o] { run_gui(*o); });
}

}  // namespace synthstm::cli
