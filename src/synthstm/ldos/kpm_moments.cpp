#include "synthstm/ldos/kpm_moments.hpp"

namespace synthstm {

Eigen::MatrixXd diagonal_moments(const SparseHamiltonian& scaled_h, std::span<const int> rows, int moments) {
    const Eigen::Index n = scaled_h.rows();
    const Eigen::Index k = static_cast<Eigen::Index>(rows.size());
    Eigen::MatrixXd mu = Eigen::MatrixXd::Zero(k, moments);
    if (k == 0 || moments == 0) return mu;

    // Column c of the blocks is the recursion started on orbital rows[c].
    Eigen::MatrixXd previous = Eigen::MatrixXd::Zero(n, k);  // α_{m-1}
    for (Eigen::Index c = 0; c < k; ++c) previous(rows[c], c) = 1.0;
    Eigen::MatrixXd current = scaled_h * previous;            // α_m, m = 1
    Eigen::MatrixXd next(n, k);

    auto column_dots = [](const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
        return Eigen::VectorXd((a.array() * b.array()).colwise().sum().transpose());
    };
    const Eigen::VectorXd mu0 = Eigen::VectorXd::Ones(k);
    Eigen::VectorXd mu1(k);
    for (Eigen::Index c = 0; c < k; ++c) mu1(c) = current(rows[c], c);
    mu.col(0) = mu0;
    if (moments > 1) mu.col(1) = mu1;

    // At loop entry previous = α_{m-1}, current = α_m (m starts at 1).
    for (int m = 1; 2 * m < moments; ++m) {
        mu.col(2 * m) = 2.0 * column_dots(current, current) - mu0;
        next.noalias() = 2.0 * (scaled_h * current) - previous;  // α_{m+1}
        if (2 * m + 1 < moments) mu.col(2 * m + 1) = 2.0 * column_dots(next, current) - mu1;
        previous.swap(current);
        current.swap(next);
    }
    return mu;
}

}  // namespace synthstm
