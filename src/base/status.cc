#include "src/base/status.h"

namespace connectivity {

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kOk: return "OK";
    case ErrorCode::kNotFound: return "NotFound";
    case ErrorCode::kCorruption: return "Corruption";
    case ErrorCode::kIOError: return "IOError";
    case ErrorCode::kInvalidArgument: return "InvalidArgument";
    case ErrorCode::kConflict: return "Conflict";
    case ErrorCode::kUnavailable: return "Unavailable";
    case ErrorCode::kBusy: return "Busy";
    case ErrorCode::kNoSpace: return "NoSpace";
    case ErrorCode::kInternal: return "Internal";
  }
  return "Unknown";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string s = ErrorCodeName(code_);
  s += ": ";
  s += message_;
  return s;
}

}  // namespace connectivity
