// RequestOrigin: who caused a journal event and from where (the audit trail,
// issue 13 item 4). Built once per HTTP request (src/http/request_origin.h),
// passed with the command into the service (CommandOptions::origin), stored
// in the event's payload (event_payload.h) and shown as the event's
// `_metadata` by /history and `journal-replay dump` (event_json.h).
// Never holds a password: the user is the name authentication accepted.
#ifndef CONNECTIVITY_PROJECTOR_REQUEST_ORIGIN_H_
#define CONNECTIVITY_PROJECTOR_REQUEST_ORIGIN_H_

#include <string>
#include <string_view>

namespace connectivity::projector {

// The two routes a command reaches the service by.
inline constexpr std::string_view kRouteRest = "rest";            // /api/2/connections
inline constexpr std::string_view kRoutePiggyback = "piggyback";  // /devops/piggyback

struct RequestOrigin {
  // The authenticated user ("devops"); empty when authentication is off
  // (DEVOPS_SECURED=false): nobody was authenticated.
  std::string user;
  // The client's IP address (behind the TLS front: the address it saw);
  // empty if unknown.
  std::string client_address;
  // The request's correlation-id, or the one the server generated for it.
  std::string correlation_id;
  // kRouteRest or kRoutePiggyback.
  std::string route;

  bool operator==(const RequestOrigin&) const = default;
};

}  // namespace connectivity::projector

#endif  // CONNECTIVITY_PROJECTOR_REQUEST_ORIGIN_H_
