#pragma once
/// Errors meant for users: one line that names the problem (the key, the value, the path).
#include <stdexcept>
#include <string>

namespace synthstm {

/// What went wrong, so that a front end can pick an exit code or an HTTP status.
enum class ErrorKind { InvalidInput, Io, Internal };

/// The one exception type of the library. The message is complete and meant for a person.
class Error : public std::runtime_error {
public:
    Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
    /// The category of the failure.
    [[nodiscard]] ErrorKind kind() const { return kind_; }

private:
    ErrorKind kind_;
};

/// Throws an InvalidInput error: bad parameters, names, files supplied by the user.
[[noreturn]] inline void invalid_input(const std::string& message) {
    throw Error(ErrorKind::InvalidInput, message);
}

/// Throws an Io error: a path that cannot be read or written.
[[noreturn]] inline void io_error(const std::string& message) { throw Error(ErrorKind::Io, message); }

}  // namespace synthstm
