// Fuzz target `placeholders`: templates with placeholder pipelines (src/model/placeholders.cc,
// placeholder_functions.cc), e.g. `{{ header:x | fn:default('y') | fn:upper() }}`, as the
// validators of every protocol check them in addresses, header mappings, enforcement filters and
// acknowledgement labels.
//
// Input: bytes taken as a template; checked against each set of placeholders a place accepts,
// replaced with a dummy value, and resolved with only {{ connection:id }} known.
// Properties, beyond "no crash, no sanitizer report" (nested function parameters included):
//   - every failure is a 400 placeholder:* error, UTF-8 if the template is;
//   - text without a placeholder is valid in every place and replaces to itself.
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "fuzz/fuzz_support.h"
#include "src/model/placeholders.h"

namespace connectivity::fuzz {
namespace {

constexpr model::PlaceholderSet kSets[] = {
    model::kOutboundPlaceholders,       model::kEnforcementFilterPlaceholders,
    model::kMqttEnforcementFilterPlaceholders, model::kHeaderPlaceholders,
    model::kConnectionIdPlaceholders,
    {model::PlaceholderKind::kSourceAddress, model::PlaceholderKind::kMqtt3Header,
     model::PlaceholderKind::kTime}};

void ExpectPlaceholderError(const model::DittoError& error, std::string_view text) {
  Expect(error.status == 400 && error.error.rfind("placeholder:", 0) == 0 && !error.message.empty(),
         "a placeholder failure is 400 placeholder:*", std::string(text) + "\n" + error.ToJson());
  if (IsUtf8(text)) ExpectUtf8(error.ToJson(), "the error of a UTF-8 template is UTF-8");
}

}  // namespace
}  // namespace connectivity::fuzz

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace connectivity;
  const std::string_view text = fuzz::AsText(data, size);
  const bool literal = !model::ContainsPlaceholder(text);
  for (const model::PlaceholderSet& set : fuzz::kSets) {
    std::optional<model::DittoError> error = model::ValidatePlaceholders(text, set);
    if (error) fuzz::ExpectPlaceholderError(*error, text);
    fuzz::Expect(!literal || !error, "text without a placeholder is valid", text);
  }
  auto replaced = model::ReplacePlaceholders(text, model::kOutboundPlaceholders, "dummy");
  if (auto* error = std::get_if<model::DittoError>(&replaced)) {
    fuzz::ExpectPlaceholderError(*error, text);
    fuzz::Expect(!literal, "text without a placeholder replaces to itself", text);
  } else if (literal) {
    const auto& values = std::get<std::vector<std::string>>(replaced);
    fuzz::Expect(values.size() == 1 && values[0] == text, "text without a placeholder replaces to itself",
                 text);
  }
  auto resolved = model::ResolveConnectionIdPlaceholder(text, "fuzz-connection");
  if (auto* error = std::get_if<model::DittoError>(&resolved)) fuzz::ExpectPlaceholderError(*error, text);
  return 0;
}
