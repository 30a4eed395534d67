// Parsing policies from JSON, text format and binary, and fingerprinting
// them. Parse errors name the format; JSON and text errors carry a 1-based
// line:column.
#include <climits>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "absl/strings/strip.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/protobuf/text_format.h"
#include "google/protobuf/util/json_util.h"
#include "standing/policy.h"

namespace standing {
namespace {

absl::string_view FormatName(PolicyFormat format) {
  switch (format) {
    case PolicyFormat::kJson:
      return "json";
    case PolicyFormat::kText:
      return "text";
    case PolicyFormat::kBinary:
      return "binary";
  }
  return "unknown format";
}

absl::Status ParseError(PolicyFormat format, absl::string_view message) {
  return absl::InvalidArgumentError(
      absl::StrCat("policy (", FormatName(format), "): ", message));
}

// 1-based line and column (in UTF-8 characters) of byte `offset`.
std::string LineColumn(absl::string_view text, size_t offset) {
  int line = 1;
  int column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++line;
      column = 1;
    } else if ((c & 0xC0) != 0x80) {  // not a UTF-8 continuation byte
      ++column;
    }
  }
  return absl::StrCat(line, ":", column);
}

// Protobuf's JSON parser reports syntax errors with a context snippet but no
// position. This scanner finds where the first syntax error is, so the
// message can say line:column. It accepts what protobuf's parser accepts
// beyond RFC 8259 (trailing commas, single quotes, bare keys, raw control
// characters in strings), so it never blames a place protobuf accepted.
class JsonSyntaxScanner {
 public:
  explicit JsonSyntaxScanner(absl::string_view text) : text_(text) {}

  // Byte offset of the first syntax error, or npos when the text is
  // well-formed JSON.
  size_t FirstError() {
    SkipSpace();
    if (!Value(0)) return pos_;
    SkipSpace();
    return pos_ == text_.size() ? absl::string_view::npos : pos_;
  }

 private:
  // Deep nesting is refused rather than allowed to exhaust the stack.
  static constexpr int kMaxDepth = 200;

  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }
  bool Consume(char c) {
    if (AtEnd() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }
  void SkipSpace() {
    while (!AtEnd() && (Peek() == ' ' || Peek() == '\t' || Peek() == '\n' ||
                        Peek() == '\r')) {
      ++pos_;
    }
  }

  bool Value(int depth) {
    if (depth > kMaxDepth || AtEnd()) return false;
    switch (Peek()) {
      case '{':
        return Object(depth);
      case '[':
        return Array(depth);
      case '"':
      case '\'':
        return String();
      case 't':
        return Literal("true");
      case 'f':
        return Literal("false");
      case 'n':
        return Literal("null");
      default:
        return Number();
    }
  }

  bool Object(int depth) {
    ++pos_;  // '{'
    while (true) {
      SkipSpace();
      if (Consume('}')) return true;  // empty, or after a trailing comma
      if (!Key()) return false;
      SkipSpace();
      if (!Consume(':')) return false;
      SkipSpace();
      if (!Value(depth + 1)) return false;
      SkipSpace();
      if (Consume('}')) return true;
      if (!Consume(',')) return false;
    }
  }

  bool Array(int depth) {
    ++pos_;  // '['
    while (true) {
      SkipSpace();
      if (Consume(']')) return true;  // empty, or after a trailing comma
      if (!Value(depth + 1)) return false;
      SkipSpace();
      if (Consume(']')) return true;
      if (!Consume(',')) return false;
    }
  }

  bool Key() {
    if (Peek() == '"' || Peek() == '\'') return String();
    const size_t start = pos_;  // a bare key
    while (!AtEnd() &&
           (absl::ascii_isalnum(static_cast<unsigned char>(Peek())) ||
            Peek() == '_' || Peek() == '$')) {
      ++pos_;
    }
    return pos_ > start;
  }

  bool String() {
    const char quote = text_[pos_++];
    while (!AtEnd()) {
      const char c = text_[pos_];
      if (c == quote) {
        ++pos_;
        return true;
      }
      if (c == '\\') {
        ++pos_;
        if (AtEnd()) return false;
        const char e = text_[pos_];
        if (e == 'u') {
          for (int i = 0; i < 4; ++i) {
            ++pos_;
            if (AtEnd() || !absl::ascii_isxdigit(
                               static_cast<unsigned char>(text_[pos_]))) {
              return false;
            }
          }
        } else if (absl::string_view("\"'\\/bfnrt").find(e) ==
                   absl::string_view::npos) {
          return false;
        }
      }
      ++pos_;
    }
    return false;
  }

  bool Digits() {
    const size_t start = pos_;
    while (!AtEnd() &&
           absl::ascii_isdigit(static_cast<unsigned char>(Peek()))) {
      ++pos_;
    }
    return pos_ > start;
  }

  bool Number() {
    Consume('-');
    if (Consume('0')) {
      // A leading zero stands alone.
    } else if (!Digits()) {
      return false;
    }
    if (Consume('.') && !Digits()) return false;
    if (Peek() == 'e' || Peek() == 'E') {
      ++pos_;
      if (!Consume('+')) Consume('-');
      if (!Digits()) return false;
    }
    return true;
  }

  bool Literal(absl::string_view word) {
    for (char c : word) {
      if (!Consume(c)) return false;
    }
    return true;
  }

  absl::string_view text_;
  size_t pos_ = 0;
};

absl::StatusOr<v1::Policy> ParseJson(absl::string_view bytes) {
  v1::Policy policy;
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;  // a misspelt field is an error
  const auto status = google::protobuf::util::JsonStringToMessage(
      google::protobuf::StringPiece(bytes.data(), bytes.size()), &policy,
      options);
  if (status.ok()) return policy;
  // Protobuf appends a multi-line snippet with a caret; keep the first line
  // and say where instead.
  absl::string_view message(status.message().data(), status.message().size());
  message = message.substr(0, message.find('\n'));
  // An empty path (the root) leaves a bare ": " in front.
  message = absl::StripLeadingAsciiWhitespace(message);
  absl::ConsumePrefix(&message, ":");
  message = absl::StripLeadingAsciiWhitespace(message);
  const size_t error_at = JsonSyntaxScanner(bytes).FirstError();
  if (error_at != absl::string_view::npos) {
    return ParseError(PolicyFormat::kJson,
                      absl::StrCat(LineColumn(bytes, error_at), ": ", message));
  }
  return ParseError(PolicyFormat::kJson, message);
}

// Keeps the first error the text parser reports, with its position.
class FirstErrorCollector : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    if (!error_.empty()) return;
    // The tokenizer counts from zero.
    error_ = absl::StrCat(line + 1, ":", column + 1, ": ", message);
  }
  const std::string& error() const { return error_; }

 private:
  std::string error_;
};

absl::StatusOr<v1::Policy> ParseText(absl::string_view bytes) {
  v1::Policy policy;
  google::protobuf::io::ArrayInputStream input(bytes.data(),
                                               static_cast<int>(bytes.size()));
  FirstErrorCollector errors;
  google::protobuf::TextFormat::Parser parser;
  parser.RecordErrorsTo(&errors);
  if (parser.Parse(&input, &policy)) return policy;
  return ParseError(PolicyFormat::kText, errors.error().empty()
                                             ? "malformed text format"
                                             : errors.error());
}

absl::StatusOr<v1::Policy> ParseBinary(absl::string_view bytes) {
  v1::Policy policy;
  // ParseFromArray fails on a truncated field, a bad tag or bad wire type.
  if (!policy.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return ParseError(PolicyFormat::kBinary,
                      absl::StrCat("malformed or truncated protobuf (",
                                   bytes.size(), " bytes)"));
  }
  return policy;
}

}  // namespace

absl::StatusOr<v1::Policy> ParsePolicy(std::string_view input,
                                       PolicyFormat format) {
  // This abseil build has its own string_view type.
  const absl::string_view bytes(input.data(), input.size());
  // Whitespace alone would parse as an empty text policy; that is never
  // what a host meant to load.
  const bool empty = format == PolicyFormat::kBinary
                         ? bytes.empty()
                         : absl::StripAsciiWhitespace(bytes).empty();
  if (empty) return ParseError(format, "empty input");
  // The protobuf parsers take int sizes.
  if (bytes.size() > static_cast<size_t>(INT_MAX)) {
    return ParseError(format, "input larger than 2 GiB");
  }
  switch (format) {
    case PolicyFormat::kJson:
      return ParseJson(bytes);
    case PolicyFormat::kText:
      return ParseText(bytes);
    case PolicyFormat::kBinary:
      return ParseBinary(bytes);
  }
  return absl::InvalidArgumentError(
      absl::StrCat("policy: unknown format ", static_cast<int>(format)));
}

uint64_t PolicyFingerprint(const v1::Policy& policy) {
  std::string bytes;
  {
    // Deterministic serialisation, so equal policies hash equally; the
    // streams flush into `bytes` when they go out of scope.
    google::protobuf::io::StringOutputStream output(&bytes);
    google::protobuf::io::CodedOutputStream coded(&output);
    coded.SetSerializationDeterministic(true);
    policy.SerializeToCodedStream(&coded);
  }
  // FNV-1a, 64-bit.
  uint64_t hash = 14695981039346656037ull;
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

}  // namespace standing
