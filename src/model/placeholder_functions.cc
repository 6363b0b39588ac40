// The `fn:` pipeline functions of Ditto's placeholders (ImmutableFunctionExpression and the
// PipelineFunction* classes): name lookup, parameter parsing (PipelineFunctionParameterResolverFactory)
// and what each function does to the values flowing through the pipeline.
#include <algorithm>
#include <array>
#include <cctype>

#include "src/model/java_compat.h"
#include "src/model/placeholders_internal.h"

namespace connectivity::model::placeholders_internal {
namespace {

enum class Params : uint8_t {
  kEmpty,                // `\(\s*+\)`
  kString,               // one quoted constant
  kStringOrPlaceholder,  // one quoted constant or placeholder
  kTwoOrThree,           // two or three constants or placeholders
};

struct Function {
  std::string_view name;
  Params params;
  std::string_view signature;  // PipelineFunction.Signature#renderSignature
};

// In Ditto's order (ImmutableFunctionExpression#SUPPORTED).
constexpr std::array<Function, 16> kFunctions = {{
    {"filter", Params::kTwoOrThree,
     "(String filterValue /* Specifies the optional value that should be taken into account for "
     "filtering. It may be a constant in single or double quotes or a placeholder or may be omitted "
     "completely in order to apply the filtering on the previous pipeline element instead. */ , "
     "String rqlFunction /* Specifies the rql function that should be applied for comparison. */ , "
     "String comparedValue /* The param that contains the value that should compared to the filter "
     "value. */)"},
    {"default", Params::kStringOrPlaceholder,
     "(String defaultValue /* Specifies the default/fallback value and may be a constant in single "
     "or double quotes or a placeholder */)"},
    {"substring-before", Params::kString,
     "(String givenString /* Specifies the string to use in order to determine the substring "
     "before the first occurrence of that given string */)"},
    {"substring-after", Params::kString,
     "(String givenString /* Specifies the string to use in order to determine the substring after "
     "the first occurrence of that given string */)"},
    {"lower", Params::kEmpty, "()"},
    {"upper", Params::kEmpty, "()"},
    {"trim", Params::kEmpty, "()"},
    {"url-encode", Params::kEmpty, "()"},
    {"url-decode", Params::kEmpty, "()"},
    {"base64-encode", Params::kEmpty, "()"},
    {"base64-decode", Params::kEmpty, "()"},
    {"delete", Params::kEmpty, "()"},
    {"replace", Params::kTwoOrThree,
     "(String from /* Specifies the string to search for and replace */ , String to /* Specifies "
     "the replace string to be inserted for all matching 'from' strings */)"},
    {"split", Params::kString,
     "(String separator /* Specifies the string to use in order to determine where to split */)"},
    {"join", Params::kString,
     "(String delimiter /* Specifies the string to use as delimiter when joining elements of an "
     "array to a string */)"},
    {"format", Params::kString,
     "(String template /* The format template with {fieldName}, {/json/pointer}, or "
     "{#arrayField}...{/arrayField} section references to extract from each JSON object */)"},
}};

bool IsWordCharacter(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

size_t SkipWhitespace(std::string_view text, size_t i) {
  while (i < text.size() && IsJavaWhitespace(text[i])) ++i;
  return i;
}

struct Param {
  bool is_placeholder = false;
  std::string_view value;
  size_t end = 0;  // position after the parameter
};

// `(\s*+'(?<c>(?:\\'|[^'])*+)'\s*+)` (or with '"') at `i`.
std::optional<Param> MatchQuoted(std::string_view text, size_t i, char quote) {
  i = SkipWhitespace(text, i);
  if (i >= text.size() || text[i] != quote) return std::nullopt;
  const size_t end = SkipQuoted(text, i);
  if (end == std::string_view::npos) return std::nullopt;
  return Param{false, text.substr(i + 1, end - i - 2), SkipWhitespace(text, end)};
}

// The candidates of one parameter at `i`, in the regex engine's order of preference:
// single-quoted, double-quoted, then `\s*+(?<p>\w+:[^,\s]+)[^,)]*+` longest first.
std::vector<Param> ParamCandidates(std::string_view text, size_t i, bool allow_placeholders) {
  std::vector<Param> candidates;
  if (auto single = MatchQuoted(text, i, '\'')) candidates.push_back(*single);
  if (auto double_quoted = MatchQuoted(text, i, '"')) candidates.push_back(*double_quoted);
  if (!allow_placeholders) return candidates;
  const size_t start = SkipWhitespace(text, i);
  size_t j = start;
  while (j < text.size() && IsWordCharacter(text[j])) ++j;
  if (j == start || j >= text.size() || text[j] != ':') return candidates;
  const size_t name = j + 1;
  size_t run_end = name;
  while (run_end < text.size() && text[run_end] != ',' && !IsJavaWhitespace(text[run_end])) ++run_end;
  for (size_t end = run_end; end > name; --end) {
    size_t after = end;
    while (after < text.size() && text[after] != ',' && text[after] != ')') ++after;
    candidates.push_back(Param{true, text.substr(start, end - start), after});
  }
  return candidates;
}

// Matches parameters `index` and on from `i`: the `required` ones, then up to `optional` more
// (greedy `(?:,P)?`), then `)` and the end (Matcher#matches, backtracking over the candidates).
bool MatchParams(std::string_view text, size_t i, size_t index, size_t required, size_t optional,
                 bool allow_placeholders, std::vector<Param>& out) {
  const bool is_required = index < required;
  if (is_required || (index < required + optional && i < text.size() && text[i] == ',')) {
    if (index > 0) {
      if (i >= text.size() || text[i] != ',') return false;
      ++i;
    }
    for (const Param& candidate : ParamCandidates(text, i, allow_placeholders)) {
      out.resize(index);
      out.push_back(candidate);
      if (MatchParams(text, candidate.end, index + 1, required, optional, allow_placeholders, out)) {
        return true;
      }
    }
    if (is_required) return false;
  }
  out.resize(index);
  return i + 1 == text.size() && text[i] == ')';
}

// PipelineFunctionParameterResolverFactory: the parameters as elements, or nullopt if the
// parameter text does not match the function's pattern.
std::optional<std::vector<ElementOrError>> ResolveParams(const Function& function,
                                                         std::string_view params,
                                                         const Resolver& resolver, int depth) {
  std::vector<Param> matched;
  const size_t required = function.params == Params::kTwoOrThree ? 2 : 1;
  const size_t optional = function.params == Params::kTwoOrThree ? 1 : 0;
  if (params.empty() || params[0] != '(' ||
      !MatchParams(params, 1, 0, required, optional, function.params != Params::kString, matched)) {
    return std::nullopt;
  }
  std::vector<ElementOrError> elements;
  for (const Param& param : matched) {
    if (param.is_placeholder) {
      elements.push_back(resolver.ResolveExpression(param.value, depth + 1));
    } else {
      elements.push_back(Element::Resolved(std::string(param.value)));
    }
  }
  return elements;
}

bool EmptyParams(std::string_view params) {
  if (params.empty() || params[0] != '(') return false;
  const size_t i = SkipWhitespace(params, 1);
  return i + 1 == params.size() && params[i] == ')';
}

Element MapValues(Element input, std::string (*map)(std::string)) {
  if (!input.IsResolved()) return input;
  for (std::string& value : input.values) value = map(std::move(value));
  return input;
}

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

std::string Upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

std::string Trim(std::string text) { return std::string(JavaTrim(text)); }
std::string Identity(std::string text) { return text; }

ElementOrError ApplyEmptyParamFunction(const Function& function, std::string_view params,
                                       Element input) {
  if (!EmptyParams(params)) {
    return PlaceholderFunctionSignatureInvalid(function.name, params, function.signature);
  }
  if (function.name == "delete") return Element::Deleted();
  if (function.name == "lower") return MapValues(std::move(input), Lower);
  if (function.name == "upper") return MapValues(std::move(input), Upper);
  if (function.name == "trim") return MapValues(std::move(input), Trim);
  // url-encode/-decode and base64-encode/-decode keep the value's state; their text does not
  // matter for validation.
  return MapValues(std::move(input), Identity);
}

// Ditto's FilterFunctions: eq, ne, like (with * and ?), exists.
bool ApplyFilterFunction(std::string_view function, std::string_view value, std::string_view compared) {
  if (function == "eq") return value == compared;
  if (function == "ne") return value != compared;
  if (function == "exists") return (compared == "false") == value.empty();
  if (function == "like") {
    // Glob match with '*' and '?'.
    std::vector<bool> row(value.size() + 1, false);
    row[0] = true;
    for (char p : compared) {
      std::vector<bool> next(value.size() + 1, false);
      if (p == '*') next[0] = row[0];
      for (size_t k = 1; k <= value.size(); ++k) {
        if (p == '*') next[k] = next[k - 1] || row[k];
        else next[k] = row[k - 1] && (p == '?' || p == value[k - 1]);
      }
      row = std::move(next);
    }
    return row[value.size()];
  }
  return false;
}

std::optional<std::string> FirstValue(const Element& element) {
  if (!element.IsResolved()) return std::nullopt;
  return element.values.front();
}

// PipelineFunctionFilter: `fn:filter(value, 'op', compared)`, `fn:filter('op', compared)` (filters
// the input) or `fn:filter(value, 'exists')`.
ElementOrError ApplyFilter(const Function& function, std::string_view params,
                           std::vector<Element> args, Element input) {
  const auto signature_error = [&] {
    return PlaceholderFunctionSignatureInvalid(function.name, params, function.signature);
  };
  std::string op;
  std::vector<std::string> filter_values;
  std::vector<std::string> compared;
  bool filter_input = false;
  if (args.size() == 2 && FirstValue(args[1]) == std::optional<std::string>("exists")) {
    op = "exists";
    filter_values = args[0].values;
  } else if (args.size() == 2) {
    op = FirstValue(args[0]).value_or("");
    compared = args[1].values;
    filter_input = true;
  } else {
    const std::optional<std::string> name = FirstValue(args[1]);
    if (!name) return signature_error();
    op = *name;
    filter_values = args[0].values;
    compared = args[2].values;
  }
  if (!input.IsResolved()) return input;
  const auto matches = [&](const std::string& value) {
    if (compared.empty()) return ApplyFilterFunction(op, value, op == "exists" ? "true" : "");
    return std::any_of(compared.begin(), compared.end(),
                       [&](const std::string& c) { return ApplyFilterFunction(op, value, c); });
  };
  if (filter_input) {
    std::vector<std::string> kept;
    for (const std::string& value : input.values) {
      if (matches(value)) kept.push_back(value);
    }
    return Element::Resolved(std::move(kept));
  }
  if (filter_values.empty()) filter_values.push_back("");
  return std::any_of(filter_values.begin(), filter_values.end(), matches) ? input
                                                                          : Element::Unresolved();
}

ElementOrError ApplyStringFunction(const Function& function, std::vector<Element> args,
                                   Element input) {
  const std::string argument = FirstValue(args[0]).value_or("");
  if (function.name == "default") {
    return input.state == Element::State::kUnresolved ? std::move(args[0]) : std::move(input);
  }
  if (function.name == "join") {
    if (!input.IsResolved()) return Element::Unresolved();
    std::string joined;
    for (size_t i = 0; i < input.values.size(); ++i) joined += (i > 0 ? argument : "") + input.values[i];
    return Element::Resolved(std::move(joined));
  }
  if (!input.IsResolved()) return input;
  std::vector<std::string> out;
  for (const std::string& value : input.values) {
    const size_t at = argument.empty() ? 0 : value.find(argument);
    if (function.name == "substring-before") {
      if (at != std::string::npos) out.push_back(value.substr(0, at));
    } else if (function.name == "substring-after") {
      if (at != std::string::npos) out.push_back(value.substr(at + argument.size()));
    } else if (function.name == "split") {
      const std::vector<std::string> parts =
          argument.size() == 1 ? JavaSplit(value, argument[0]) : std::vector<std::string>{value};
      out.insert(out.end(), parts.begin(), parts.end());
    } else if (function.name == "format") {
      out.push_back(value);
    }
  }
  return Element::Resolved(std::move(out));
}

// PipelineFunctionFormat#parseTemplate: every unescaped `{#name}` needs a `{/name}` after it.
std::optional<DittoError> CheckFormatTemplate(std::string_view format) {
  for (size_t open = format.find("{#"); open != std::string_view::npos;
       open = format.find("{#", open + 2)) {
    if (open > 0 && format[open - 1] == '\\') continue;
    const size_t close = format.find('}', open);
    if (close == std::string_view::npos) return std::nullopt;
    const std::string_view name = format.substr(open + 2, close - open - 2);
    if (format.find("{/" + std::string(name) + "}", close) == std::string_view::npos) {
      DittoError error = PlaceholderFunctionSignatureInvalid("format", "", "");
      error.message = "Unclosed section tag {#" + std::string(name) + "} in format template";
      return error;
    }
  }
  return std::nullopt;
}

ElementOrError ApplyFunction(const Function& function, std::string_view params, Element input,
                             const Resolver& resolver, int depth) {
  if (function.params == Params::kEmpty) return ApplyEmptyParamFunction(function, params, std::move(input));
  std::optional<std::vector<ElementOrError>> resolved = ResolveParams(function, params, resolver, depth);
  if (!resolved) return PlaceholderFunctionSignatureInvalid(function.name, params, function.signature);
  std::vector<Element> args;
  for (ElementOrError& arg : *resolved) {
    if (auto* error = std::get_if<DittoError>(&arg)) return std::move(*error);
    args.push_back(std::get<Element>(std::move(arg)));
  }
  if (function.name == "filter") return ApplyFilter(function, params, std::move(args), std::move(input));
  if (function.name == "replace") {
    const std::optional<std::string> to = FirstValue(args[1]);
    if (!to) return PlaceholderFunctionSignatureInvalid(function.name, params, function.signature);
    return input;  // replacing text keeps the state; the text does not matter for validation
  }
  if (function.name == "format") {
    if (auto error = CheckFormatTemplate(FirstValue(args[0]).value_or(""))) return std::move(*error);
    if (input.state == Element::State::kUnresolved) return input;
  }
  return ApplyStringFunction(function, std::move(args), std::move(input));
}

}  // namespace

ElementOrError ApplyFunctionStage(std::string_view stage, Element input, const Resolver& resolver,
                                  int depth) {
  // Ditto strips the first "fn:" wherever it is, then asks whether a known name follows.
  std::string copy;
  std::string_view without_prefix = stage;
  if (const size_t at = stage.find("fn:"); at == 0) {
    without_prefix.remove_prefix(3);
  } else if (at != std::string_view::npos) {
    copy = std::string(stage).erase(at, 3);
    without_prefix = copy;
  }
  const Function* named = nullptr;
  for (const Function& function : kFunctions) {
    if (without_prefix.size() > function.name.size() &&
        without_prefix.substr(0, function.name.size()) == function.name &&
        without_prefix[function.name.size()] == '(') {
      named = &function;
    }
  }
  if (named == nullptr) return PlaceholderFunctionUnknown(stage);
  if (stage.substr(0, 3) != "fn:") return Element::Unresolved();
  const std::string_view params = JavaTrim(stage.substr(3 + named->name.size()));
  return ApplyFunction(*named, params, std::move(input), resolver, depth);
}

}  // namespace connectivity::model::placeholders_internal
