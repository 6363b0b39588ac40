// The JSON of Ditto's connectivity command responses (REF §2, §2.2):
// {"type":"connectivity.responses:<name>","status":N,...payload}.
#ifndef CONNECTIVITY_HTTP_COMMAND_RESPONSES_H_
#define CONNECTIVITY_HTTP_COMMAND_RESPONSES_H_

#include <string>
#include <string_view>
#include <vector>

#include "src/model/errors.h"

namespace connectivity::http {

// {"type":..., "status":..., "connection": <connection_json>}
std::string ConnectionResponse(std::string_view type, int status, std::string_view connection_json);
// {"type":..., "status":..., "connectionId": id}
std::string ConnectionIdResponse(std::string_view type, int status, std::string_view id);
// {"type":..., "status":..., "<member>": [strings]}
std::string StringListResponse(std::string_view type, int status, std::string_view member,
                               const std::vector<std::string>& values);
// Ditto's DevOpsErrorResponse (REF §1.5).
std::string DevOpsErrorResponse(std::string_view instance, const model::DittoError& error);

}  // namespace connectivity::http

#endif  // CONNECTIVITY_HTTP_COMMAND_RESPONSES_H_
