// Reading and editing the canonical connection JSON without parsing it.
//
// model::SerializeConnection guarantees the shape these functions rely on:
// the object starts with the members id, name, connectionType and
// connectionStatus, in that order, and ends with the member tags. A member
// marker such as `,"connectionStatus":"` cannot occur inside a JSON string
// (its quotes would be escaped there), and nested objects only come after
// connectionStatus, so the first occurrence of each of those markers is the
// top-level member; for tags, which is last, it is the last occurrence.
#ifndef CONNECTIVITY_PROJECTOR_STORED_CONNECTION_H_
#define CONNECTIVITY_PROJECTOR_STORED_CONNECTION_H_

#include <string>
#include <string_view>
#include <vector>

#include "src/projector/connection_state.h"

namespace connectivity::projector {

// True if `json` has the canonical shape above.
bool IsCanonicalConnectionJson(std::string_view json);

// The raw values of the enum members (they never need unescaping).
std::string_view StoredConnectionStatus(std::string_view json);
std::string_view StoredConnectionType(std::string_view json);

// Replaces the connectionStatus value. Returns false if `json` is not canonical.
bool ReplaceStoredConnectionStatus(std::string& json, std::string_view status);

// The tags array, unescaped.
std::vector<std::string> StoredTags(std::string_view json);

// The connection with its hidden fields in Ditto's emission order (REF §3.1):
// __lifecycle, id, name, _revision, _modified, _created, connectionType, ...
std::string StoredJsonWithHiddenFields(const ConnectionState& state);

}  // namespace connectivity::projector

#endif  // CONNECTIVITY_PROJECTOR_STORED_CONNECTION_H_
