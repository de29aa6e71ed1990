#pragma once
/// The GUI's HTTP server: the embedded single-page app and its JSON API (docs/gui.md).
#include <filesystem>
#include <memory>
#include <string>

namespace synthstm::gui {

/// How the server runs.
struct ServerOptions {
    std::string host = "127.0.0.1";            ///< address to listen on (loopback unless asked)
    int port = 8050;                           ///< 0: any free port
    std::filesystem::path params_dir = "synthstm-params";  ///< saved parameter files and datasets
    int workers = 2;                           ///< render jobs run at once
    std::size_t max_pending_jobs = 16;         ///< jobs waiting or running at most
    std::size_t max_request_bytes = 1 << 20;   ///< larger request bodies get 413
    int max_resolution_px = 512;               ///< larger images are refused
    std::uint64_t max_dataset_samples = 10000; ///< larger datasets are refused
};

/// A server bound to its port; listen() serves until stop() (from another thread).
class Server {
public:
    /// Binds the port; throws Io naming host and port when it cannot.
    explicit Server(const ServerOptions& options);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;
    /// The port bound (useful with port 0).
    [[nodiscard]] int port() const;
    /// Serves requests until stop(); returns false when the server failed.
    bool listen();
    /// Stops listen().
    void stop();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace synthstm::gui
