// Conditional request headers (REF §2.1, SPEC §4.2): If-Match and
// If-None-Match against the connection's entity tag `"rev:<_revision>"`.
#ifndef CONNECTIVITY_SERVICE_PRECONDITIONS_H_
#define CONNECTIVITY_SERVICE_PRECONDITIONS_H_

#include <optional>
#include <string>

#include "src/model/errors.h"
#include "src/projector/connection_state.h"

namespace connectivity::service {

struct Preconditions {
  std::optional<std::string> if_match;
  std::optional<std::string> if_none_match;
};

// The entity tag of a connection, quoted: "rev:12".
std::string EntityTag(const projector::ConnectionState& state);

// nullopt if the request may proceed. `state` is null or not existing when the
// connection does not exist. A failed If-None-Match answers 304 for reads and
// 412 for writes.
std::optional<model::DittoError> CheckPreconditions(const Preconditions& preconditions,
                                                    const projector::ConnectionState* state,
                                                    bool is_read);

}  // namespace connectivity::service

#endif  // CONNECTIVITY_SERVICE_PRECONDITIONS_H_
