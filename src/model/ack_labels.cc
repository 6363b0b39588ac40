#include "src/model/ack_labels.h"

#include <unordered_set>

#include "src/model/connection_parse_internal.h"
#include "src/model/placeholders.h"

namespace connectivity::model {
namespace {

constexpr std::string_view kLiveResponse = "live-response";

// ConnectionValidator#resolveConnectionIdPlaceholder, then AcknowledgementLabel#of on the result.
// nullopt: the label resolved to nothing (Ditto drops it).
std::variant<std::optional<std::string>, DittoError> ResolveLabel(const std::string& label,
                                                                  const std::string& id) {
  if (!ContainsPlaceholder(label)) return std::optional<std::string>(label);
  auto resolved = ResolveConnectionIdPlaceholder(label, id);
  if (auto* error = std::get_if<DittoError>(&resolved)) return std::move(*error);
  std::optional<std::string> value = std::get<std::optional<std::string>>(std::move(resolved));
  if (value && !IsValidAcknowledgementLabel(*value)) return AcknowledgementLabelInvalid(*value);
  return value;
}

// Appends the resolved labels of `labels` to `out`; false (with `error` set) on a failure.
bool AppendResolved(const std::vector<const std::string*>& labels, const std::string& id,
                    std::vector<std::string>& out, std::optional<DittoError>& error) {
  for (const std::string* label : labels) {
    auto resolved = ResolveLabel(*label, id);
    if (auto* failure = std::get_if<DittoError>(&resolved)) {
      error = std::move(*failure);
      return false;
    }
    if (auto& value = std::get<std::optional<std::string>>(resolved)) out.push_back(std::move(*value));
  }
  return true;
}

std::variant<std::vector<std::string>, DittoError> IssuedLabels(const Connection& connection) {
  std::vector<const std::string*> labels;
  for (const Target& target : connection.targets) {
    if (target.issued_acknowledgement_label) labels.push_back(&*target.issued_acknowledgement_label);
  }
  std::vector<std::string> resolved;
  std::optional<DittoError> error;
  if (!AppendResolved(labels, connection.id, resolved, error)) return std::move(*error);
  std::erase(resolved, std::string(kLiveResponse));
  return resolved;
}

}  // namespace

std::variant<std::vector<std::string>, DittoError> AcknowledgementLabelsToDeclare(
    const Connection& connection) {
  std::vector<const std::string*> declared;
  for (const Source& source : connection.sources) {
    for (const std::string& label : source.declared_acks) declared.push_back(&label);
  }
  std::vector<std::string> labels;
  std::optional<DittoError> error;
  if (!AppendResolved(declared, connection.id, labels, error)) return std::move(*error);
  auto issued = IssuedLabels(connection);
  if (auto* failure = std::get_if<DittoError>(&issued)) return std::move(*failure);
  for (std::string& label : std::get<std::vector<std::string>>(issued)) labels.push_back(std::move(label));
  return labels;
}

std::optional<DittoError> ValidateAcknowledgementLabels(const Connection& connection) {
  auto labels = AcknowledgementLabelsToDeclare(connection);
  if (auto* error = std::get_if<DittoError>(&labels)) return std::move(*error);
  const std::string prefix = connection.id + ":";
  for (const std::string& label : std::get<std::vector<std::string>>(labels)) {
    if (label.rfind(prefix, 0) != 0) {
      DittoError error = AcknowledgementLabelInvalid(label);
      error.description = "Declared acknowledgement labels of a connection must have the form " +
                          prefix + "<alphanumeric-suffix>";
      error.href.clear();
      return error;
    }
  }
  // Uniqueness is checked after validity, so that an invalid label is reported first (as Ditto).
  auto issued = IssuedLabels(connection);
  const auto& issued_labels = std::get<std::vector<std::string>>(issued);
  std::unordered_set<std::string> distinct(issued_labels.begin(), issued_labels.end());
  if (distinct.size() < issued_labels.size()) {
    return AcknowledgementLabelNotUnique(
        "An issued acknowledgement label may only be used for one target of the connection.",
        "Please choose unique suffixes for your configured issued acknowledgement labels.");
  }
  return std::nullopt;
}

}  // namespace connectivity::model
