#pragma once
// The subcommands of the synthstm program; each file registers one.
#include <CLI/CLI.hpp>

namespace synthstm::cli {

/// `synthstm ldos`: LDOS of a surface site by exact / kpm / tmatrix.
void register_ldos(CLI::App& app);
/// `synthstm tip list|show`: tip variants, apex pictures and apex LDOS.
void register_tip(CLI::App& app);
/// `synthstm render`: one simulated sample with every channel and its ground truth.
void register_render(CLI::App& app);
/// `synthstm generate`: a dataset of N samples in HDF5 shards, resumable, threads and MPI ranks.
void register_generate(CLI::App& app);
/// `synthstm inspect`: counts, parameter ranges, defect statistics and a picture of a dataset.
void register_inspect(CLI::App& app);
/// `synthstm bench`: samples per second and per-stage medians.
void register_bench(CLI::App& app);
/// `synthstm train`: the U-Net on a dataset (LibTorch; says so when built without it).
void register_train(CLI::App& app);
/// `synthstm lr-find`: learning-rate range test.
void register_lr_find(CLI::App& app);
/// `synthstm evaluate`: errors and defect detection of a trained model on a dataset.
void register_evaluate(CLI::App& app);
/// `synthstm predict`: lattice and defect maps and a defect list for a real scan.
void register_predict(CLI::App& app);
/// `synthstm gui`: the web page (when built with cpp-httplib).
void register_gui(CLI::App& app);

}  // namespace synthstm::cli
