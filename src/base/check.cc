#include "src/base/check.h"

#include <cstdio>
#include <cstdlib>

namespace connectivity::internal {

void CheckFailed(const char* file, int line, const char* expression, const char* message) {
  std::fprintf(stderr, "CHECK failed: %s:%d '%s' %s\n", file, line, expression, message);
  std::fflush(stderr);
  std::abort();
}

}  // namespace connectivity::internal
