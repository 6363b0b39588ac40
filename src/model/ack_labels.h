// Acknowledgement labels of a connection (REF §4.2 item 5, Ditto's
// ConnectionValidator#validateDeclaredAndIssuedAcknowledgements).
//
// The labels to declare are the sources' `declaredAcks` and the targets' issued labels (except
// `live-response`, which needs no declaration), each with `{{ connection:id }}` resolved to the
// connection's id. Each must start with "<id>:" (400 acknowledgement:label.invalid, description
// "Declared acknowledgement labels of a connection must have the form <id>:<alphanumeric-suffix>"),
// and no issued label may be used by two targets (409 acknowledgement:label.not.unique). Another
// placeholder in a label cannot be resolved: placeholder:unresolved, as Ditto answers.
#ifndef CONNECTIVITY_MODEL_ACK_LABELS_H_
#define CONNECTIVITY_MODEL_ACK_LABELS_H_

#include <optional>
#include <string>
#include <vector>

#include "src/model/connection.h"
#include "src/model/errors.h"

namespace connectivity::model {

// The labels the connection declares, resolved, sources first (ConnectionValidator#
// getAcknowledgementLabelsToDeclare); or the error of a label that does not resolve.
std::variant<std::vector<std::string>, DittoError> AcknowledgementLabelsToDeclare(
    const Connection& connection);

std::optional<DittoError> ValidateAcknowledgementLabels(const Connection& connection);

}  // namespace connectivity::model

#endif  // CONNECTIVITY_MODEL_ACK_LABELS_H_
