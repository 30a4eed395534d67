// Helpers shared by the translation units of the C ABI (standing_c.cc,
// service_c.cc, credit_c.cc): the thread's last error, the mapping of
// engine statuses, the exception guard, input checks and result buffers.
// Internal; see docs/c-abi.md for the conventions they implement.
#ifndef STANDING_CAPI_COMMON_H_
#define STANDING_CAPI_COMMON_H_

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <exception>
#include <new>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "capi/utf8.h"
#include "google/protobuf/message_lite.h"
#include "standing/standing.h"

namespace standing::capi {

// ---- errors ---------------------------------------------------------------

// The message of the thread's latest call (standing_last_error). One
// variable for the whole library (an inline variable).
inline thread_local std::string t_error;

inline standing_status Ok() {
  t_error.clear();
  return STANDING_OK;
}

inline standing_status Fail(standing_status status, std::string_view message) {
  try {
    t_error.assign(message);
  } catch (...) {
    t_error.clear();  // no memory for the message; the code still tells
  }
  return status;
}

// Maps an engine status. `invalid` is what InvalidArgument means in the
// context (a bad policy is POLICY_ERROR, a bad snapshot MALFORMED_MESSAGE).
inline standing_status FromAbsl(
    const absl::Status& s,
    standing_status invalid = STANDING_INVALID_ARGUMENT) {
  standing_status code;
  switch (s.code()) {
    case absl::StatusCode::kOk:
      return Ok();
    case absl::StatusCode::kInvalidArgument:
      code = invalid;
      break;
    case absl::StatusCode::kNotFound:
      code = STANDING_NOT_FOUND;
      break;
    case absl::StatusCode::kAlreadyExists:
      code = STANDING_ALREADY_EXISTS;
      break;
    case absl::StatusCode::kOutOfRange:
      code = STANDING_OUT_OF_RANGE;
      break;
    case absl::StatusCode::kFailedPrecondition:
      code = STANDING_FAILED_PRECONDITION;
      break;
    case absl::StatusCode::kDataLoss:
      code = STANDING_MALFORMED_MESSAGE;
      break;
    case absl::StatusCode::kResourceExhausted:
      code = STANDING_TOO_LARGE;
      break;
    case absl::StatusCode::kUnimplemented:
      code = STANDING_UNIMPLEMENTED;
      break;
    case absl::StatusCode::kPermissionDenied:
      code = STANDING_PERMISSION_DENIED;
      break;
    default:
      return Fail(STANDING_INTERNAL,
                  absl::StrCat(absl::StatusCodeToString(s.code()), ": ",
                               std::string(s.message())));
  }
  return Fail(code, std::string_view(s.message().data(), s.message().size()));
}

// Runs `f` with exceptions turned into status codes.
template <class F>
standing_status Guard(F&& f) noexcept {
  try {
    return f();
  } catch (const std::bad_alloc&) {
    return Fail(STANDING_OUT_OF_MEMORY, "out of memory");
  } catch (const std::exception& e) {
    return Fail(STANDING_INTERNAL, e.what());
  } catch (...) {
    return Fail(STANDING_INTERNAL, "unknown exception");
  }
}

// ---- inputs ---------------------------------------------------------------

inline standing_status CheckBytes(const uint8_t* data, size_t len, size_t max,
                                  const char* what, bool allow_empty) {
  if (data == nullptr && len != 0) {
    return Fail(STANDING_INVALID_ARGUMENT,
                absl::StrCat(what, " is NULL but its length is ", len));
  }
  if (len == 0 && !allow_empty) {
    return Fail(STANDING_INVALID_ARGUMENT, absl::StrCat(what, " is empty"));
  }
  if (len > max) {
    return Fail(
        STANDING_TOO_LARGE,
        absl::StrCat(what, " is ", len, " bytes, more than max_message_bytes (",
                     max, ")"));
  }
  return STANDING_OK;
}

inline standing_status CheckText(const char* data, size_t len, size_t max,
                                 const char* what, bool allow_empty) {
  standing_status s = CheckBytes(reinterpret_cast<const uint8_t*>(data), len,
                                 max, what, allow_empty);
  if (s != STANDING_OK) return s;
  size_t bad = FirstInvalidUtf8(data, len);
  if (bad != len) {
    return Fail(STANDING_INVALID_ARGUMENT,
                absl::StrCat(what, " is not valid UTF-8 (byte ", bad, ")"));
  }
  return STANDING_OK;
}

inline std::string_view View(const char* data, size_t len) {
  return len == 0 ? std::string_view() : std::string_view(data, len);
}
inline std::string_view View(const uint8_t* data, size_t len) {
  return View(reinterpret_cast<const char*>(data), len);
}

inline void Reset(standing_buffer* b) {
  if (b != nullptr) {
    b->data = nullptr;
    b->len = 0;
  }
}

inline standing_status NullEngine() {
  return Fail(STANDING_INVALID_ARGUMENT, "engine is NULL");
}

inline standing_status NullOutput(const char* what) {
  return Fail(STANDING_INVALID_ARGUMENT, absl::StrCat(what, " is NULL"));
}

// ---- outputs --------------------------------------------------------------

inline standing_status Allocate(size_t len, standing_buffer* out) {
  if (len == 0) return STANDING_OK;
  auto* p = static_cast<uint8_t*>(std::malloc(len));
  if (p == nullptr) return Fail(STANDING_OUT_OF_MEMORY, "out of memory");
  out->data = p;
  out->len = len;
  return STANDING_OK;
}

inline standing_status ToBuffer(const google::protobuf::MessageLite& m,
                                standing_buffer* out) {
  size_t len = m.ByteSizeLong();
  standing_status s = Allocate(len, out);
  if (s != STANDING_OK || len == 0) return s;
  m.SerializeWithCachedSizesToArray(out->data);
  return STANDING_OK;
}

}  // namespace standing::capi

#endif  // STANDING_CAPI_COMMON_H_
