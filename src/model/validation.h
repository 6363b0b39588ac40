// Service-level validation of a parsed connection (REF §4.2, Ditto's ConnectionValidator#validate),
// run for create, test, modify and open, after ParseConnection's model-level checks.
//
// Structure: ValidateConnection calls one function per REF §4.2 item, in Ditto's order, and
// returns the first error. Implemented so far: item 1 (source/target counts) and item 2 (empty
// addresses). The remaining items have their place marked in validation.cc; each new rule is one
// function (per connection type for item 12) added to that sequence, with its limits and switches
// added to ValidationConfig.
#ifndef CONNECTIVITY_MODEL_VALIDATION_H_
#define CONNECTIVITY_MODEL_VALIDATION_H_

#include <cstddef>
#include <optional>

#include "src/model/connection.h"
#include "src/model/errors.h"

namespace connectivity::model {

struct ValidationConfig {
  // REF §10 `connection.max-source-number` / `max-target-number`
  // (env CONNECTION_SOURCE_NUMBER / CONNECTION_TARGET_NUMBER).
  size_t sources_max = 4;
  size_t targets_max = 4;
  // Room for more: mapper limits (item 4), host rules (item 7), OAuth https (item 10), ...
};

// The first violated rule as Ditto reports it, or nullopt if the connection is valid.
std::optional<DittoError> ValidateConnection(const Connection& connection,
                                             const ValidationConfig& config);

// The single rules, exposed for tests and for callers that need one of them alone.
// Item 1: "The number of configured sources or targets within a connection exceeded."
std::optional<DittoError> ValidateSourceAndTargetCounts(const Connection& connection,
                                                        const ValidationConfig& config);
// Items 2 and 3: empty addresses (and, per target, its topic filters: item 3, to come).
std::optional<DittoError> ValidateAddressesAreNonempty(const Connection& connection);

}  // namespace connectivity::model

#endif  // CONNECTIVITY_MODEL_VALIDATION_H_
