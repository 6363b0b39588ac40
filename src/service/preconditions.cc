#include "src/service/preconditions.h"

#include <string_view>

namespace connectivity::service {
namespace {

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// Strong comparison against a comma-separated list; `W/` weak tags compare
// by their opaque value, as Ditto's EntityTagMatcher does for if-none-match.
bool ListMatches(std::string_view list, std::string_view etag) {
  while (!list.empty()) {
    const size_t comma = list.find(',');
    std::string_view item = Trim(list.substr(0, comma));
    if (item.substr(0, 2) == "W/") item.remove_prefix(2);
    if (item == "*" || item == etag) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

std::string EntityTag(const projector::ConnectionState& state) {
  return "\"rev:" + std::to_string(state.connection_revision) + "\"";
}

std::optional<model::DittoError> CheckPreconditions(const Preconditions& preconditions,
                                                    const projector::ConnectionState* state,
                                                    bool is_read) {
  const bool exists = state != nullptr && state->exists();
  const std::string etag = exists ? EntityTag(*state) : std::string();
  if (preconditions.if_match) {
    if (!exists || !ListMatches(*preconditions.if_match, etag)) {
      return model::PreconditionFailed("if-match", *preconditions.if_match, etag);
    }
  }
  if (preconditions.if_none_match && exists &&
      ListMatches(*preconditions.if_none_match, etag)) {
    if (is_read) return model::PreconditionNotModified(*preconditions.if_none_match, etag);
    return model::PreconditionFailed("if-none-match", *preconditions.if_none_match, etag);
  }
  return std::nullopt;
}

}  // namespace connectivity::service
