#include "src/base/check.h"

#include <cstdlib>
#include <string>

#include "src/base/log.h"

namespace connectivity::internal {

void CheckFailed(const char* file, int line, const char* expression, const char* message) {
  log::Error("check", std::string("CHECK failed: ") + file + ":" + std::to_string(line) + " '" + expression +
                          "' " + message);
  std::abort();
}

}  // namespace connectivity::internal
