// Ditto's RQL predicate grammar (RqlParserBase.scala, RqlPredicateParser.scala) as a recursive
// descent PEG parser: ordered choice, each alternative restores the position when it fails. The
// furthest position where a match failed is the error position, as in parboiled2.
#include "src/model/rql.h"

#include <array>
#include <charconv>
#include <optional>

#include "src/model/java_compat.h"

namespace connectivity::model {
namespace {

class RqlParser {
 public:
  explicit RqlParser(std::string_view text) : text_(text) {}

  std::variant<RqlNode, DittoError> Parse() {
    SkipWhitespace();
    RqlNode root;
    const bool matched = Query(root, 0);
    if (matched && AtEnd()) return root;
    if (!fatal_.empty()) return RqlExpressionInvalid(fatal_);
    if (matched) Fail(pos_, "end of input");
    return RqlExpressionInvalid(ErrorMessage());
  }

 private:
  bool AtEnd() const { return pos_ == text_.size(); }

  // Records that `what` was expected at `at` (only the furthest position is kept).
  void Fail(size_t at, std::string_view what) {
    if (at > error_pos_ || expected_.empty()) {
      if (at > error_pos_) expected_.clear();
      error_pos_ = std::max(error_pos_, at);
    }
    if (at < error_pos_) return;
    for (const std::string& known : expected_) {
      if (known == what) return;
    }
    expected_.emplace_back(what);
  }

  bool Literal(std::string_view word) {
    if (text_.substr(pos_, word.size()) == word) {
      pos_ += word.size();
      return true;
    }
    size_t i = 0;
    while (i < word.size() && pos_ + i < text_.size() && text_[pos_ + i] == word[i]) ++i;
    Fail(pos_ + i, word.size() == 1 ? "'" + std::string(word) + "'" : "\"" + std::string(word) + "\"");
    return false;
  }

  bool Char(char c) { return Literal(std::string_view(&c, 1)); }

  void SkipWhitespace() {
    while (pos_ < text_.size() && std::string_view(" \n\r\t\f").find(text_[pos_]) != std::string_view::npos) {
      ++pos_;
    }
  }

  bool Query(RqlNode& node, int depth);
  bool SingleComparison(RqlNode& node);
  bool MultiComparison(RqlNode& node);
  bool Logical(RqlNode& node, int depth);
  bool Not(RqlNode& node, int depth);
  bool PropertyOnly(RqlNode& node, std::string_view name, RqlNode::Kind kind);
  bool Name(std::initializer_list<std::string_view> names, std::string& out);
  void Characters(std::string_view stop, std::string& out);
  bool Escape(char quote, std::string& out);
  bool Value(RqlValue& value);
  bool Number(RqlValue& value);
  bool Quoted(char quote, RqlValue& value);
  bool Placeholder(RqlValue& value);

  std::string ErrorMessage() const;

  std::string_view text_;
  size_t pos_ = 0;
  size_t error_pos_ = 0;
  std::vector<std::string> expected_;
  std::string fatal_;  // an exception thrown by a parser action: aborts the parse
};

bool RqlParser::Query(RqlNode& node, int depth) {
  if (depth > kRqlDepthMax) {
    fatal_ = "Unknown error during parsing predicate: the expression is nested more than " +
             std::to_string(kRqlDepthMax) + " levels deep";
    return false;
  }
  const size_t start = pos_;
  const auto attempt = [&](auto&& rule) {
    if (!fatal_.empty()) return false;
    node = RqlNode();
    if (rule()) return true;
    pos_ = start;
    return false;
  };
  return attempt([&] { return SingleComparison(node); }) ||
         attempt([&] { return MultiComparison(node); }) ||
         attempt([&] { return Logical(node, depth); }) || attempt([&] { return Not(node, depth); }) ||
         attempt([&] { return PropertyOnly(node, "exists", RqlNode::Kind::kExists); }) ||
         attempt([&] { return PropertyOnly(node, "empty", RqlNode::Kind::kEmpty); });
}

// Ordered choice of keywords; commits to the first that matches (PEG).
bool RqlParser::Name(std::initializer_list<std::string_view> names, std::string& out) {
  for (std::string_view name : names) {
    if (Literal(name)) {
      out = name;
      return true;
    }
  }
  return false;
}

bool RqlParser::SingleComparison(RqlNode& node) {
  node.kind = RqlNode::Kind::kComparison;
  if (!Name({"eq", "ne", "gt", "ge", "lt", "le", "like", "ilike"}, node.op) || !Char('(')) return false;
  Characters(",)\"\\", node.property);
  RqlValue value;
  if (!Char(',') || !Value(value) || !Char(')')) return false;
  node.values.push_back(std::move(value));
  return true;
}

bool RqlParser::MultiComparison(RqlNode& node) {
  node.kind = RqlNode::Kind::kIn;
  if (!Name({"in"}, node.op) || !Char('(')) return false;
  Characters(",)\"\\", node.property);
  while (true) {  // oneOrMore(',' ~ Literal)
    const size_t before = pos_;
    RqlValue value;
    if (!Char(',') || !Value(value)) {
      if (node.values.empty() || !fatal_.empty()) return false;
      pos_ = before;
      break;
    }
    node.values.push_back(std::move(value));
  }
  return Char(')');
}

bool RqlParser::Logical(RqlNode& node, int depth) {
  node.kind = RqlNode::Kind::kLogical;
  if (!Name({"and", "or"}, node.op) || !Char('(')) return false;
  size_t before_separator = pos_;
  while (true) {  // oneOrMore(Query).separatedBy(ws(','))
    RqlNode child;
    if (!Query(child, depth + 1)) {
      if (node.children.empty() || !fatal_.empty()) return false;
      pos_ = before_separator;
      break;
    }
    node.children.push_back(std::move(child));
    before_separator = pos_;
    if (!Char(',')) break;
    SkipWhitespace();
  }
  return Char(')');
}

bool RqlParser::Not(RqlNode& node, int depth) {
  node.kind = RqlNode::Kind::kLogical;
  if (!Name({"not"}, node.op) || !Char('(')) return false;
  RqlNode child;
  if (!Query(child, depth + 1)) return false;
  node.children.push_back(std::move(child));
  return Char(')');
}

bool RqlParser::PropertyOnly(RqlNode& node, std::string_view name, RqlNode::Kind kind) {
  node.kind = kind;
  if (!Literal(name) || !Char('(')) return false;
  node.op = name;
  Characters(",)\"\\", node.property);
  return Char(')');
}

// zeroOrMore(NormalChar | '\' EscapedChar), NormalChar being any character not in `stop`.
void RqlParser::Characters(std::string_view stop, std::string& out) {
  while (pos_ < text_.size()) {
    const char c = text_[pos_];
    if (c == '\\') {
      const size_t backslash = pos_;
      ++pos_;
      if (!Escape('"', out)) {
        pos_ = backslash;
        return;
      }
    } else if (stop.find(c) == std::string_view::npos) {
      out.push_back(c);
      ++pos_;
    } else {
      return;
    }
  }
}

void AppendUtf8(uint32_t code, std::string& out) {
  if (code < 0x80) {
    out.push_back(static_cast<char>(code));
  } else if (code < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (code >> 6)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (code >> 12)));
    out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
  }
}

// EscapedChar after a backslash: the quote, '\', '/', b, f, n, r, t or uXXXX.
bool RqlParser::Escape(char quote, std::string& out) {
  if (pos_ >= text_.size()) {
    Fail(pos_, "EscapedChar");
    return false;
  }
  const char c = text_[pos_];
  static constexpr std::string_view kFrom = "bfnrt";
  static constexpr std::string_view kTo = "\b\f\n\r\t";
  if (c == quote || c == '\\' || c == '/') {
    out.push_back(c);
  } else if (kFrom.find(c) != std::string_view::npos) {
    out.push_back(kTo[kFrom.find(c)]);
  } else if (c == 'u' && pos_ + 5 <= text_.size()) {
    uint32_t code = 0;
    auto [end, error] = std::from_chars(text_.data() + pos_ + 1, text_.data() + pos_ + 5, code, 16);
    if (error != std::errc() || end != text_.data() + pos_ + 5) {
      Fail(pos_ + 1, "HexDigit");
      return false;
    }
    AppendUtf8(code, out);
    pos_ += 4;
  } else {
    Fail(pos_, "EscapedChar");
    return false;
  }
  ++pos_;
  return true;
}

bool RqlParser::Value(RqlValue& value) {
  const size_t start = pos_;
  const auto attempt = [&](auto&& rule) {
    if (!fatal_.empty()) return false;
    value = RqlValue();
    if (rule()) return true;
    pos_ = start;
    return false;
  };
  const bool matched =
      attempt([&] { return Number(value); }) || attempt([&] { return Quoted('"', value); }) ||
      attempt([&] { return Quoted('\'', value); }) || attempt([&] { return Placeholder(value); }) ||
      attempt([&] { value.kind = RqlValue::Kind::kBool; value.boolean = true; return Literal("true"); }) ||
      attempt([&] { value.kind = RqlValue::Kind::kBool; return Literal("false"); }) ||
      attempt([&] { return Literal("null"); });
  if (matched) SkipWhitespace();
  return matched;
}

// DoubleLiteral | LongLiteral: [+-]? (digit19 digit+ | digit) ("." digit+)?; a long "-0" is not a
// number (RqlParserBase: !"-0").
bool RqlParser::Number(RqlValue& value) {
  const size_t start = pos_;
  if (pos_ < text_.size() && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
  const auto is_digit = [&](size_t i) { return i < text_.size() && text_[i] >= '0' && text_[i] <= '9'; };
  if (!is_digit(pos_)) {
    Fail(pos_, "Digit");
    return false;
  }
  if (text_[pos_] != '0') {
    while (is_digit(pos_)) ++pos_;
  } else {
    ++pos_;
  }
  const size_t integer_end = pos_;
  if (pos_ < text_.size() && text_[pos_] == '.' && is_digit(pos_ + 1)) {
    ++pos_;
    while (is_digit(pos_)) ++pos_;
    value.kind = RqlValue::Kind::kDouble;
    value.double_value = std::strtod(std::string(text_.substr(start, pos_ - start)).c_str(), nullptr);
  } else {
    if (text_.substr(start, 2) == "-0") return false;
    const std::string digits(text_.substr(start, integer_end - start));
    const std::optional<int64_t> parsed = ParseJavaLong(digits);
    if (!parsed) {
      fatal_ = "Unknown error during parsing predicate: For input string: \"" + digits + "\"";
      return false;
    }
    value.kind = RqlValue::Kind::kLong;
    value.long_value = *parsed;
  }
  SkipWhitespace();
  return true;
}

bool RqlParser::Quoted(char quote, RqlValue& value) {
  if (!Char(quote)) return false;
  value.kind = RqlValue::Kind::kString;
  while (pos_ < text_.size() && text_[pos_] != quote) {
    if (text_[pos_] == '\\') {
      ++pos_;
      if (!Escape(quote, value.text)) return false;
    } else {
      value.text.push_back(text_[pos_++]);
    }
  }
  if (!Char(quote)) return false;
  SkipWhitespace();
  return true;
}

// "time:" Characters, checked by ParsedPlaceholder#of (`[a-z]+:.+`).
bool RqlParser::Placeholder(RqlValue& value) {
  const size_t start = pos_;
  if (!Literal("time:")) return false;
  std::string ignored;
  Characters(",)\"\\", ignored);
  value.kind = RqlValue::Kind::kPlaceholder;
  value.text = text_.substr(start, pos_ - start);
  bool valid = value.text.size() > 5;
  for (size_t i = 5; valid && i < value.text.size(); ++i) valid = !IsJavaLineTerminatorAt(value.text, i);
  if (!valid) {
    fatal_ = "Unknown error during parsing predicate: Placeholder was not in expected format "
             "<prefix:name>!";
    return false;
  }
  SkipWhitespace();
  return true;
}

std::string EscapeForMessage(char c) {
  switch (c) {
    case '\t': return "\\t";
    case '\r': return "\\r";
    case '\n': return "\\n";
    case '\f': return "\\f";
    default: return std::string(1, c);
  }
}

// The character at byte `at` as the message quotes it: its whole UTF-8 sequence, never a single
// byte of one (the error JSON would not be UTF-8 any more).
std::string QuotedCharacterAt(std::string_view text, size_t at) {
  const auto continuation = [&text](size_t i) {
    return (static_cast<unsigned char>(text[i]) & 0xC0) == 0x80;
  };
  while (at > 0 && continuation(at)) --at;
  size_t end = at + 1;
  while (end < text.size() && continuation(end)) ++end;
  return end == at + 1 ? EscapeForMessage(text[at]) : std::string(text.substr(at, end - at));
}

std::string RqlParser::ErrorMessage() const {
  const size_t at = std::min(error_pos_, text_.size());
  size_t line = 1;
  size_t line_start = 0;
  for (size_t i = 0; i < at; ++i) {
    if (text_[i] == '\n') {
      ++line;
      line_start = i + 1;
    }
  }
  const size_t line_end = std::min(text_.find('\n', at), text_.size());
  std::string message = at < text_.size() ? "Invalid input '" + QuotedCharacterAt(text_, at) + "'"
                                          : std::string("Unexpected end of input");
  if (!expected_.empty()) {
    message += ", expected ";
    for (size_t i = 0; i < expected_.size(); ++i) {
      if (i > 0) message += i + 1 == expected_.size() ? " or " : ", ";
      message += expected_[i];
    }
  }
  // Columns count characters (Java's UTF-16 units), as parboiled2's do.
  const size_t column = Utf16Length(text_.substr(line_start, at - line_start));
  message += " (line " + std::to_string(line) + ", column " + std::to_string(column + 1) + "):\n";
  message += std::string(text_.substr(line_start, line_end - line_start)) + "\n";
  return message + std::string(column, ' ') + "^";
}

}  // namespace

std::variant<RqlNode, DittoError> ParseRqlSyntax(std::string_view filter) {
  return RqlParser(filter).Parse();
}

}  // namespace connectivity::model
