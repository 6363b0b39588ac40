#include "src/model/connection_id.h"

#include "src/model/model_limits.h"

namespace connectivity::model {

bool IsValidConnectionId(std::string_view id) {
  if (id.empty() || id.size() > kConnectionIdLengthMax) return false;
  for (char c : id) {
    const bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                         (c >= '0' && c <= '9') || c == '-' || c == '_' || c == ':';
    if (!allowed) return false;
  }
  return true;
}

}  // namespace connectivity::model
