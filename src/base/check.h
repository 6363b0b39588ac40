// CHECK: an always-on assertion for invariants (never for validating input).
// On failure it prints file, line, the expression and a message, then aborts.
#ifndef CONNECTIVITY_BASE_CHECK_H_
#define CONNECTIVITY_BASE_CHECK_H_

namespace connectivity::internal {
[[noreturn]] void CheckFailed(const char* file, int line, const char* expression,
                              const char* message);
}  // namespace connectivity::internal

#define CHECK(condition, message)                                                     \
  do {                                                                                \
    if (!(condition)) [[unlikely]]                                                    \
      ::connectivity::internal::CheckFailed(__FILE__, __LINE__, #condition, message); \
  } while (0)

#endif  // CONNECTIVITY_BASE_CHECK_H_
