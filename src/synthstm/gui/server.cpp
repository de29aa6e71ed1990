#include "synthstm/gui/server.hpp"

#include <chrono>
#include <thread>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "synthstm/core/error.hpp"
#include "synthstm/dataset/dataset_file.hpp"
#include "synthstm/dataset/dataset_writer.hpp"
#include "synthstm/gui/assets.hpp"
#include "synthstm/gui/form_schema.hpp"
#include "synthstm/gui/job_queue.hpp"
#include "synthstm/gui/params_store.hpp"
#include "synthstm/gui/render_view.hpp"

// Last: it pulls in <resolv.h>, whose _res macro breaks Eigen headers included after it.
#include <httplib.h>

namespace synthstm::gui {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

/// A request that cannot be served: HTTP status and JSON body.
struct HttpError {
    int status;
    json body;
};

[[noreturn]] void fail(int status, const std::string& message, const std::string& key = "") {
    json body = {{"error", message}};
    if (!key.empty()) body["key"] = key;
    throw HttpError{status, std::move(body)};
}

void send(httplib::Response& res, int status, const json& body) {
    res.status = status;
    res.set_content(body.dump(), "application/json");
}

json parse_body(const httplib::Request& req) {
    try {
        return json::parse(req.body);
    } catch (const json::parse_error& e) {
        fail(400, fmt::format("the request body is not valid JSON: {}", e.what()));
    }
}

/// A member that must be a non-negative integer below `limit`; `fallback` when absent.
std::uint64_t unsigned_member(const json& body, const char* key, std::uint64_t fallback, std::uint64_t limit) {
    if (!body.contains(key)) return fallback;
    const json& v = body[key];
    if (v.is_number_unsigned() && v.get<std::uint64_t>() <= limit) return v.get<std::uint64_t>();
    fail(400, fmt::format("{} must be an integer from 0 to {}, got {}", key, limit, v.dump()), key);
}

using Route = std::function<void(const httplib::Request&, httplib::Response&)>;

/// Every handler answers JSON, also when it fails; nothing it throws reaches the server.
httplib::Server::Handler guarded(Route route) {
    return [route = std::move(route)](const httplib::Request& req, httplib::Response& res) {
        try {
            route(req, res);
        } catch (const HttpError& e) {
            send(res, e.status, e.body);
        } catch (const Error& e) {
            send(res, e.kind() == ErrorKind::InvalidInput ? 400 : 500, json{{"error", e.what()}});
        } catch (const json::exception& e) {
            send(res, 400, json{{"error", fmt::format("bad JSON value: {}", e.what())}});
        } catch (const std::exception& e) {
            send(res, 500, json{{"error", fmt::format("internal error: {}", e.what())}});
        } catch (...) {
            send(res, 500, json{{"error", "internal error"}});
        }
    };
}

}  // namespace

struct Server::Impl {
    explicit Impl(const ServerOptions& o)
        : options(o), store(o.params_dir), jobs(o.workers, o.max_pending_jobs, 64) {}

    /// The config of a request body's "config" member, or a 400 with the field at fault.
    Config config_of(const json& body) const {
        if (!body.is_object() || !body.contains("config")) fail(400, "the request needs a \"config\" object", "config");
        ConfigProblem problem;
        std::optional<Config> config = read_form_config(body["config"], options.max_resolution_px, problem);
        if (!config) throw HttpError{400, problem.body};
        return *config;
    }

    std::string submit(const std::string& kind, JobWork work) {
        std::optional<std::string> id = jobs.submit(kind, std::move(work));
        if (!id) fail(503, fmt::format("{} jobs are already waiting or running; try again later", options.max_pending_jobs));
        return *id;
    }

    /// Queues the job a request body describes: {"kind": "render"|"dataset", ...}.
    std::string submit_job(const json& body) {
        if (!body.is_object()) fail(400, "the request body must be a JSON object");
        const std::string kind = body.value("kind", "render");
        const Config config = config_of(body);
        const std::uint64_t seed = unsigned_member(body, "seed", 0, std::numeric_limits<std::int64_t>::max());
        if (kind == "render") {
            const std::uint64_t index = unsigned_member(body, "index", 0, std::numeric_limits<std::int64_t>::max());
            return submit("render", [config, seed, index](JobContext& job) {
                return render_view(config, seed, index, [&job](double f, const std::string& what) {
                    job.progress(f, what);
                    return !job.cancelled();
                });
            });
        }
        if (kind == "dataset") {
            const std::uint64_t samples = unsigned_member(body, "samples", 0, options.max_dataset_samples);
            if (samples == 0) fail(400, "samples must be at least 1", "samples");
            const std::string name = body.value("name", "");
            if (!valid_file_name(name)) fail(400, "the dataset needs a name of 1 to 64 letters, digits, '_' or '-'", "name");
            const DatasetSpec spec = DatasetSpec::make(config, seed, samples, 64, {});
            const fs::path dir = store.dir() / "datasets" / name;
            return submit("dataset", [spec, dir](JobContext& job) -> json {
                fs::create_directories(dir);
                GenerateOptions go;
                go.threads = 1;
                go.progress_interval_s = 0.2;
                go.progress = [&job](const GenerateProgress& p) {
                    if (job.cancelled()) invalid_input("cancelled");
                    job.progress(p.total ? static_cast<double>(p.done) / static_cast<double>(p.total) : 1.0,
                                 fmt::format("{} of {} samples", p.done, p.total));
                };
                const auto group = single_process_group();
                const GenerateSummary s = generate_dataset(dir, spec, go, *group);
                return json{{"path", (dir / kDatasetFileName).string()},
                            {"samples", spec.samples},
                            {"shards", s.shards_total},
                            {"seconds", s.seconds}};
            });
        }
        fail(400, fmt::format("unknown job kind '{}': expected render or dataset", kind), "kind");
    }

    void routes() {
        for (const Asset& a : assets()) {
            const auto serve = [a](const httplib::Request&, httplib::Response& res) {
                res.set_content(std::string(a.body), std::string(a.content_type).c_str());
            };
            http.Get(std::string(a.path), serve);
            if (a.path == "/index.html") http.Get("/", serve);
        }
        http.Get("/api/schema", guarded([](const auto&, auto& res) { send(res, 200, schema_json()); }));
        http.Get("/api/presets", guarded([](const auto&, auto& res) { send(res, 200, Config::preset_names()); }));
        http.Get(R"(/api/presets/([^/]+))", guarded([](const auto& req, auto& res) {
                     const std::string name = req.matches[1];
                     const auto names = Config::preset_names();
                     if (std::find(names.begin(), names.end(), name) == names.end())
                         fail(404, fmt::format("unknown preset '{}'", name.substr(0, 80)));
                     send(res, 200, Config::preset(name).to_json());
                 }));
        http.Get("/api/params", guarded([this](const auto&, auto& res) { send(res, 200, store.names()); }));
        http.Get(R"(/api/params/([^/]+))", guarded([this](const auto& req, auto& res) {
                     const std::string name = req.matches[1];
                     if (!store.contains(name)) fail(404, fmt::format("no saved parameters named '{}'", name));
                     send(res, 200, store.load(name));
                 }));
        http.Put(R"(/api/params/([^/]+))", guarded([this](const auto& req, auto& res) {
                     const std::string name = req.matches[1];
                     if (!valid_file_name(name))
                         fail(400, fmt::format("invalid name '{}': use 1 to 64 letters, digits, '_' or '-'", name.substr(0, 80)), "name");
                     const json body = parse_body(req);
                     // The body is the config itself, or {"config": {...}}.
                     const Config config = config_of(body.contains("config") ? body : json{{"config", body}});
                     const fs::path path = store.save(name, config);
                     send(res, 200, json{{"saved", name}, {"path", path.string()}});
                 }));
        http.Post("/api/jobs", guarded([this](const auto& req, auto& res) {
                      send(res, 202, json{{"id", submit_job(parse_body(req))}});
                  }));
        http.Get(R"(/api/jobs/([^/]+))", guarded([this](const auto& req, auto& res) {
                     const auto status = jobs.status(req.matches[1]);
                     if (!status) fail(404, "unknown job (finished jobs are forgotten after a while)");
                     send(res, 200, *status);
                 }));
        http.Delete(R"(/api/jobs/([^/]+))", guarded([this](const auto& req, auto& res) {
                        if (!jobs.cancel(req.matches[1])) fail(404, "unknown job");
                        send(res, 200, json{{"cancelled", true}});
                    }));
        // One render, answered when it is done (the same bounded workers as /api/jobs).
        http.Post("/api/render", guarded([this](const auto& req, auto& res) {
                      json body = parse_body(req);
                      if (body.is_object()) body["kind"] = "render";
                      const std::string id = submit_job(body);
                      for (;;) {
                          const auto status = jobs.status(id);
                          if (!status) fail(500, "the render was forgotten");
                          const std::string state = (*status)["state"];
                          if (state == "done") return send(res, 200, (*status)["result"]);
                          if (state == "failed") return send(res, 400, (*status)["error"]);
                          if (state == "cancelled") fail(409, "the render was cancelled");
                          std::this_thread::sleep_for(std::chrono::milliseconds(20));
                      }
                  }));
        http.set_payload_max_length(options.max_request_bytes);
        http.set_error_handler(httplib::Server::HandlerWithResponse(
            [](const httplib::Request&, httplib::Response& res) -> httplib::Server::HandlerResponse {
            if (!res.body.empty()) return httplib::Server::HandlerResponse::Unhandled;
            const std::string what = res.status == 413 ? "the request is too large" : "not found";
            res.set_content(json{{"error", what}}.dump(), "application/json");
            return httplib::Server::HandlerResponse::Handled;
        }));
        http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
            send(res, 500, json{{"error", "internal error"}});
        });
    }

    ServerOptions options;
    ParamsStore store;
    JobQueue jobs;
    httplib::Server http;
    int port = 0;
};

Server::Server(const ServerOptions& options) : impl_(std::make_unique<Impl>(options)) {
    impl_->routes();
    if (options.port == 0) {
        impl_->port = impl_->http.bind_to_any_port(options.host);
    } else {
        impl_->port = impl_->http.bind_to_port(options.host, options.port) ? options.port : -1;
    }
    if (impl_->port <= 0) io_error(fmt::format("cannot listen on {}:{}", options.host, options.port));
}

Server::~Server() = default;

int Server::port() const { return impl_->port; }

bool Server::listen() { return impl_->http.listen_after_bind(); }

void Server::stop() { impl_->http.stop(); }

}  // namespace synthstm::gui
