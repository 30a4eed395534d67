// The C ABI (include/standing/standing.h) over the C++ engine.
//
// Every exported function is noexcept at the boundary: C++ exceptions
// (std::bad_alloc above all) become status codes. Inputs are checked
// before anything is parsed; the per-thread scratch messages below are
// reused across calls so the hot paths (apply, get_customer) allocate only
// the result buffer.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <fstream>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "capi/common.h"
#include "capi/engine_handle.h"
#include "capi/utf8.h"
#include "capi/wire.h"
#include "google/protobuf/arena.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/message_lite.h"
#include "standing/engine.h"
#include "standing/policy.h"
#include "standing/standing.h"
#include "standing/v1/customer.pb.h"
#include "standing/v1/event.pb.h"
#include "standing/v1/policy.pb.h"
#include "standing/v1/transition.pb.h"

#ifndef STANDING_VERSION_STRING
#define STANDING_VERSION_STRING "0.0.0"
#endif

namespace {

namespace v1 = standing::v1;

using standing::capi::kDefaultMaxMessageBytes;
constexpr size_t kMaxMessageBytesLimit = INT_MAX;  // protobuf parses int
// Batches larger than this do not keep their parsed events cached.
constexpr size_t kKeepBatchEvents = 16384;

}  // namespace

namespace {

// ---- shared helpers (capi/common.h) ----------------------------------------

using standing::capi::Allocate;
using standing::capi::CheckBytes;
using standing::capi::CheckText;
using standing::capi::Fail;
using standing::capi::FromAbsl;
using standing::capi::Guard;
using standing::capi::NullEngine;
using standing::capi::NullOutput;
using standing::capi::Ok;
using standing::capi::Reset;
using standing::capi::t_error;
using standing::capi::ToBuffer;
using standing::capi::View;

// ---- per-thread scratch ---------------------------------------------------

// Single events are parsed into an arena whose first block is part of the
// scratch, so parsing allocates nothing (a heap message would free and
// reallocate its oneof and Timestamp on every parse).
google::protobuf::ArenaOptions EventArenaOptions(char* block, size_t size) {
  google::protobuf::ArenaOptions o;
  o.initial_block = block;
  o.initial_block_size = size;
  return o;
}

struct Scratch {
  alignas(16) char event_block[16384];
  google::protobuf::Arena event_arena{
      EventArenaOptions(event_block, sizeof(event_block))};
  std::vector<v1::Event> events;
  std::vector<v1::Transition> transitions;
  std::string customer_bytes;
  v1::Explanation explanation;
  v1::CustomerPage page;
};

Scratch& Tls() {
  thread_local Scratch scratch;
  return scratch;
}

// ---- inputs ---------------------------------------------------------------

// Parses and validates a policy; POLICY_ERROR when it fails.
standing_status ParsePolicy(const uint8_t* data, size_t len,
                            standing_policy_format format, size_t max,
                            v1::Policy* out) {
  standing_status s = CheckBytes(data, len, max, "policy", false);
  if (s != STANDING_OK) return s;
  standing::PolicyFormat f;
  switch (format) {
    case STANDING_FORMAT_JSON:
      f = standing::PolicyFormat::kJson;
      break;
    case STANDING_FORMAT_TEXT:
      f = standing::PolicyFormat::kText;
      break;
    case STANDING_FORMAT_BINARY:
      f = standing::PolicyFormat::kBinary;
      break;
    default:
      return Fail(
          STANDING_INVALID_ARGUMENT,
          absl::StrCat("unknown policy format ", static_cast<int>(format)));
  }
  auto parsed = standing::ParsePolicy(View(data, len), f);
  if (!parsed.ok()) return FromAbsl(parsed.status(), STANDING_POLICY_ERROR);
  absl::Status valid = standing::ValidatePolicy(*parsed);
  if (!valid.ok()) return FromAbsl(valid, STANDING_POLICY_ERROR);
  *out = *std::move(parsed);
  return STANDING_OK;
}

// ---- outputs --------------------------------------------------------------

// Serializes transitions as a standing.v1.TransitionList without copying
// them into one: each is field 1, length-delimited.
standing_status ToBuffer(const std::vector<v1::Transition>& ts,
                         standing_buffer* out) {
  using google::protobuf::io::CodedOutputStream;
  if (out == nullptr || ts.empty()) return STANDING_OK;
  size_t total = 0;
  for (const auto& t : ts) {
    size_t n = t.ByteSizeLong();
    total += 1 + CodedOutputStream::VarintSize64(n) + n;
  }
  standing_status s = Allocate(total, out);
  if (s != STANDING_OK) return s;
  uint8_t* p = out->data;
  for (const auto& t : ts) {
    *p++ = 0x0A;  // field 1, wire type 2
    p = CodedOutputStream::WriteVarint32ToArray(
        static_cast<uint32_t>(t.GetCachedSize()), p);
    p = t.SerializeWithCachedSizesToArray(p);
  }
  return STANDING_OK;
}

// Finishes a write: the engine's status, then the transitions. Only a
// batch keeps them on error (those of the events before the failing one).
standing_status Finish(const absl::Status& s,
                       const std::vector<v1::Transition>& transitions,
                       standing_buffer* out,
                       standing_status invalid = STANDING_INVALID_ARGUMENT,
                       bool keep_on_error = false) {
  if (!s.ok() && !keep_on_error) return FromAbsl(s, invalid);
  standing_status written = ToBuffer(transitions, out);
  if (!s.ok()) return FromAbsl(s, invalid);
  if (written != STANDING_OK) return written;
  return Ok();
}

// Keeps a per-thread vector from holding memory after a large result.
template <class T>
void Trim(std::vector<T>& v) {
  if (v.size() > kKeepBatchEvents) {
    v.resize(kKeepBatchEvents);
    v.shrink_to_fit();
  }
}

standing_engine* NewEngine(std::unique_ptr<standing::Engine> engine,
                           const standing_options* options) {
  auto* e = new standing_engine;
  e->engine = std::move(engine);
  if (options != nullptr) e->max_message_bytes = options->max_message_bytes;
  return e;
}

standing::EngineOptions ToEngineOptions(const standing_options* options) {
  standing::EngineOptions o;
  if (options != nullptr) o.review_threads = options->review_threads;
  return o;
}

size_t MaxBytes(const standing_options* options) {
  return options == nullptr ? kDefaultMaxMessageBytes
                            : options->max_message_bytes;
}

// Shared by load and load_file: the optional policy.
standing_status OptionalPolicy(const uint8_t* policy, size_t policy_len,
                               standing_policy_format format,
                               const standing_options* options,
                               v1::Policy* storage, const v1::Policy** out) {
  *out = nullptr;
  if (policy == nullptr && policy_len == 0) return STANDING_OK;
  standing_status s =
      ParsePolicy(policy, policy_len, format, MaxBytes(options), storage);
  if (s != STANDING_OK) return s;
  *out = storage;
  return STANDING_OK;
}

standing_status Loaded(absl::StatusOr<std::unique_ptr<standing::Engine>> loaded,
                       const standing_options* options, standing_engine** out) {
  if (!loaded.ok()) {
    return FromAbsl(loaded.status(), STANDING_MALFORMED_MESSAGE);
  }
  *out = NewEngine(*std::move(loaded), options);
  return Ok();
}

std::string ErrnoText(const char* what, const char* path, int err) {
  return absl::StrCat(what, " ", path, ": ", std::strerror(err));
}

}  // namespace

// ---- exported -------------------------------------------------------------

extern "C" {

const char* standing_version(void) { return STANDING_VERSION_STRING; }

int32_t standing_abi_version(void) { return STANDING_ABI_VERSION; }

const char* standing_last_error(void) { return t_error.c_str(); }

const char* standing_status_name(standing_status status) {
  switch (status) {
    case STANDING_OK:
      return "STANDING_OK";
    case STANDING_INVALID_ARGUMENT:
      return "STANDING_INVALID_ARGUMENT";
    case STANDING_NOT_FOUND:
      return "STANDING_NOT_FOUND";
    case STANDING_ALREADY_EXISTS:
      return "STANDING_ALREADY_EXISTS";
    case STANDING_OUT_OF_RANGE:
      return "STANDING_OUT_OF_RANGE";
    case STANDING_FAILED_PRECONDITION:
      return "STANDING_FAILED_PRECONDITION";
    case STANDING_POLICY_ERROR:
      return "STANDING_POLICY_ERROR";
    case STANDING_MALFORMED_MESSAGE:
      return "STANDING_MALFORMED_MESSAGE";
    case STANDING_TOO_LARGE:
      return "STANDING_TOO_LARGE";
    case STANDING_IO_ERROR:
      return "STANDING_IO_ERROR";
    case STANDING_UNIMPLEMENTED:
      return "STANDING_UNIMPLEMENTED";
    case STANDING_OUT_OF_MEMORY:
      return "STANDING_OUT_OF_MEMORY";
    case STANDING_INTERNAL:
      return "STANDING_INTERNAL";
    case STANDING_PERMISSION_DENIED:
      return "STANDING_PERMISSION_DENIED";
  }
  return "STANDING_UNKNOWN_STATUS";
}

void standing_buffer_free(standing_buffer* buffer) {
  if (buffer == nullptr) return;
  std::free(buffer->data);
  buffer->data = nullptr;
  buffer->len = 0;
}

// ---- options --------------------------------------------------------------

standing_status standing_options_create(standing_options** out) {
  return Guard([&] {
    if (out == nullptr) return NullOutput("out");
    *out = new standing_options;
    return Ok();
  });
}

void standing_options_destroy(standing_options* options) { delete options; }

standing_status standing_options_set_max_message_bytes(
    standing_options* options, size_t max_bytes) {
  return Guard([&] {
    if (options == nullptr) return NullOutput("options");
    if (max_bytes == 0 || max_bytes > kMaxMessageBytesLimit) {
      return Fail(STANDING_OUT_OF_RANGE,
                  absl::StrCat("max_message_bytes must be 1..",
                               kMaxMessageBytesLimit, ", not ", max_bytes));
    }
    options->max_message_bytes = max_bytes;
    return Ok();
  });
}

standing_status standing_options_set_review_threads(standing_options* options,
                                                    int32_t threads) {
  return Guard([&] {
    if (options == nullptr) return NullOutput("options");
    if (threads < 0) {
      return Fail(
          STANDING_OUT_OF_RANGE,
          absl::StrCat("review_threads must not be negative, not ", threads));
    }
    options->review_threads = threads;
    return Ok();
  });
}

standing_status standing_options_set_allow_policy_change(
    standing_options* options, int32_t allow) {
  return Guard([&] {
    if (options == nullptr) return NullOutput("options");
    options->allow_policy_change = allow != 0;
    return Ok();
  });
}

// ---- engine lifetime ------------------------------------------------------

standing_status standing_engine_open(const uint8_t* policy, size_t policy_len,
                                     standing_policy_format format,
                                     const standing_options* options,
                                     standing_engine** out) {
  return Guard([&] {
    if (out == nullptr) return NullOutput("out");
    v1::Policy p;
    standing_status s =
        ParsePolicy(policy, policy_len, format, MaxBytes(options), &p);
    if (s != STANDING_OK) return s;
    auto created = standing::Engine::Create(p, ToEngineOptions(options));
    if (!created.ok()) return FromAbsl(created.status(), STANDING_POLICY_ERROR);
    *out = NewEngine(*std::move(created), options);
    return Ok();
  });
}

standing_status standing_engine_close(standing_engine* engine) {
  return Guard([&] {
    delete engine;
    return Ok();
  });
}

standing_status standing_engine_replace_policy(standing_engine* engine,
                                               const uint8_t* policy,
                                               size_t policy_len,
                                               standing_policy_format format,
                                               standing_buffer* transitions) {
  Reset(transitions);
  return Guard([&] {
    if (engine == nullptr) return NullEngine();
    v1::Policy p;
    standing_status s =
        ParsePolicy(policy, policy_len, format, engine->max_message_bytes, &p);
    if (s != STANDING_OK) return s;
    auto& ts = Tls().transitions;
    ts.clear();
    absl::Status st = engine->engine->ReplacePolicy(p, &ts);
    s = Finish(st, ts, transitions, STANDING_POLICY_ERROR);
    Trim(ts);
    return s;
  });
}

// ---- events ---------------------------------------------------------------

standing_status standing_engine_apply(standing_engine* engine,
                                      const uint8_t* event, size_t event_len,
                                      standing_buffer* transitions) {
  Reset(transitions);
  return Guard([&] {
    if (engine == nullptr) return NullEngine();
    standing_status s =
        CheckBytes(event, event_len, engine->max_message_bytes, "event", false);
    if (s != STANDING_OK) return s;
    Scratch& tls = Tls();
    struct ResetArena {
      google::protobuf::Arena& arena;
      ~ResetArena() { arena.Reset(); }
    } reset{tls.event_arena};
    auto* ev =
        google::protobuf::Arena::CreateMessage<v1::Event>(&tls.event_arena);
    if (!ev->ParseFromArray(event, static_cast<int>(event_len))) {
      return Fail(STANDING_MALFORMED_MESSAGE,
                  absl::StrCat("event (", event_len,
                               " bytes) is not a valid standing.v1.Event"));
    }
    tls.transitions.clear();
    absl::Status st = engine->engine->Apply(
        *ev, transitions != nullptr ? &tls.transitions : nullptr);
    return Finish(st, tls.transitions, transitions);
  });
}

standing_status standing_engine_apply_batch(standing_engine* engine,
                                            const uint8_t* batch,
                                            size_t batch_len,
                                            standing_buffer* transitions,
                                            size_t* applied) {
  Reset(transitions);
  if (applied != nullptr) *applied = 0;
  return Guard([&] {
    if (engine == nullptr) return NullEngine();
    standing_status s = CheckBytes(batch, batch_len, engine->max_message_bytes,
                                   "event batch", true);
    if (s != STANDING_OK) return s;
    Scratch& tls = Tls();
    size_t count = 0;
    std::string error;
    if (!standing::capi::ParseEventBatch(batch, batch_len, &tls.events, &count,
                                         &error)) {
      return Fail(STANDING_MALFORMED_MESSAGE, error);
    }
    tls.transitions.clear();
    size_t done = 0;
    absl::Status st = engine->engine->ApplyBatch(
        tls.events.data(), count,
        transitions != nullptr ? &tls.transitions : nullptr, &done);
    if (applied != nullptr) *applied = done;
    s = Finish(st, tls.transitions, transitions, STANDING_INVALID_ARGUMENT,
               /*keep_on_error=*/true);
    Trim(tls.events);
    Trim(tls.transitions);
    return s;
  });
}

standing_status standing_engine_review(standing_engine* engine,
                                       int64_t as_of_seconds,
                                       standing_buffer* transitions) {
  Reset(transitions);
  return Guard([&] {
    if (engine == nullptr) return NullEngine();
    auto& ts = Tls().transitions;
    ts.clear();
    absl::Status st = engine->engine->Review(as_of_seconds, &ts);
    standing_status s = Finish(st, ts, transitions);
    Trim(ts);
    return s;
  });
}

// ---- queries --------------------------------------------------------------

standing_status standing_engine_get_customer(const standing_engine* engine,
                                             const char* id, size_t id_len,
                                             standing_buffer* customer) {
  Reset(customer);
  return Guard([&] {
    if (engine == nullptr) return NullEngine();
    if (customer == nullptr) return NullOutput("customer");
    standing_status s =
        CheckText(id, id_len, engine->max_message_bytes, "customer id", false);
    if (s != STANDING_OK) return s;
    // Encoded straight from the engine's state (no Customer message).
    std::string& bytes = Tls().customer_bytes;
    absl::Status st =
        engine->engine->GetCustomerBytes(View(id, id_len), &bytes);
    if (!st.ok()) return FromAbsl(st);
    s = Allocate(bytes.size(), customer);
    if (s != STANDING_OK) return s;
    if (!bytes.empty()) std::memcpy(customer->data, bytes.data(), bytes.size());
    return Ok();
  });
}

standing_status standing_engine_explain(const standing_engine* engine,
                                        const char* id, size_t id_len,
                                        const char* program, size_t program_len,
                                        standing_buffer* explanation) {
  Reset(explanation);
  return Guard([&] {
    if (engine == nullptr) return NullEngine();
    if (explanation == nullptr) return NullOutput("explanation");
    size_t max = engine->max_message_bytes;
    standing_status s = CheckText(id, id_len, max, "customer id", false);
    if (s != STANDING_OK) return s;
    s = CheckText(program, program_len, max, "program", false);
    if (s != STANDING_OK) return s;
    v1::Explanation& x = Tls().explanation;
    absl::Status st = engine->engine->Explain(View(id, id_len),
                                              View(program, program_len), &x);
    if (!st.ok()) return FromAbsl(st);
    s = ToBuffer(x, explanation);
    return s != STANDING_OK ? s : Ok();
  });
}

standing_status standing_engine_list_by_tier(
    const standing_engine* engine, const char* program, size_t program_len,
    const char* tier, size_t tier_len, const char* page_token,
    size_t page_token_len, int32_t page_size, standing_buffer* page) {
  Reset(page);
  return Guard([&] {
    if (engine == nullptr) return NullEngine();
    if (page == nullptr) return NullOutput("page");
    size_t max = engine->max_message_bytes;
    standing_status s = CheckText(program, program_len, max, "program", false);
    if (s != STANDING_OK) return s;
    s = CheckText(tier, tier_len, max, "tier", false);
    if (s != STANDING_OK) return s;
    s = CheckText(page_token, page_token_len, max, "page token", true);
    if (s != STANDING_OK) return s;
    if (page_size <= 0) {
      return Fail(STANDING_INVALID_ARGUMENT,
                  absl::StrCat("page_size must be positive, not ", page_size));
    }
    v1::CustomerPage& p = Tls().page;
    absl::Status st = engine->engine->ListByTier(
        View(program, program_len), View(tier, tier_len),
        View(page_token, page_token_len), page_size, &p);
    if (!st.ok()) return FromAbsl(st);
    s = ToBuffer(p, page);
    return s != STANDING_OK ? s : Ok();
  });
}

standing_status standing_engine_policy(const standing_engine* engine,
                                       standing_buffer* policy) {
  Reset(policy);
  return Guard([&] {
    if (engine == nullptr) return NullEngine();
    if (policy == nullptr) return NullOutput("policy");
    standing_status s = ToBuffer(engine->engine->policy(), policy);
    return s != STANDING_OK ? s : Ok();
  });
}

standing_status standing_engine_clock(const standing_engine* engine,
                                      int64_t* out_seconds) {
  return Guard([&] {
    if (engine == nullptr) return NullEngine();
    if (out_seconds == nullptr) return NullOutput("out_seconds");
    *out_seconds = engine->engine->clock();
    return Ok();
  });
}

standing_status standing_engine_customer_count(const standing_engine* engine,
                                               uint64_t* out_count) {
  return Guard([&] {
    if (engine == nullptr) return NullEngine();
    if (out_count == nullptr) return NullOutput("out_count");
    *out_count = engine->engine->customer_count();
    return Ok();
  });
}

// ---- snapshots ------------------------------------------------------------

standing_status standing_engine_snapshot(const standing_engine* engine,
                                         standing_buffer* snapshot) {
  Reset(snapshot);
  return Guard([&] {
    if (engine == nullptr) return NullEngine();
    if (snapshot == nullptr) return NullOutput("snapshot");
    std::string bytes;
    absl::Status st = engine->engine->SaveSnapshot(&bytes);
    if (!st.ok()) return FromAbsl(st);
    standing_status s = Allocate(bytes.size(), snapshot);
    if (s != STANDING_OK) return s;
    if (!bytes.empty()) std::memcpy(snapshot->data, bytes.data(), bytes.size());
    return Ok();
  });
}

standing_status standing_engine_save(const standing_engine* engine,
                                     const char* path) {
  return Guard([&] {
    if (engine == nullptr) return NullEngine();
    if (path == nullptr) return NullOutput("path");
    if (*path == '\0') return Fail(STANDING_INVALID_ARGUMENT, "path is empty");
    std::string tmp = absl::StrCat(path, ".tmp.", ::getpid());
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      if (!out)
        return Fail(STANDING_IO_ERROR,
                    ErrnoText("cannot create", tmp.c_str(), errno));
      absl::Status st = engine->engine->WriteSnapshot(out);
      out.flush();
      if (!st.ok() || !out) {
        int err = errno;
        out.close();
        std::remove(tmp.c_str());
        if (!st.ok()) return FromAbsl(st);
        return Fail(STANDING_IO_ERROR,
                    ErrnoText("cannot write", tmp.c_str(), err));
      }
    }
    int fd = ::open(tmp.c_str(), O_RDONLY);
    if (fd < 0 || ::fsync(fd) != 0) {
      int err = errno;
      if (fd >= 0) ::close(fd);
      std::remove(tmp.c_str());
      return Fail(STANDING_IO_ERROR,
                  ErrnoText("cannot sync", tmp.c_str(), err));
    }
    ::close(fd);
    if (std::rename(tmp.c_str(), path) != 0) {
      int err = errno;
      std::remove(tmp.c_str());
      return Fail(STANDING_IO_ERROR, ErrnoText("cannot rename to", path, err));
    }
    return Ok();
  });
}

standing_status standing_engine_load(const uint8_t* snapshot,
                                     size_t snapshot_len, const uint8_t* policy,
                                     size_t policy_len,
                                     standing_policy_format format,
                                     const standing_options* options,
                                     standing_engine** out) {
  return Guard([&] {
    if (out == nullptr) return NullOutput("out");
    standing_status s =
        CheckBytes(snapshot, snapshot_len, SIZE_MAX, "snapshot", false);
    if (s != STANDING_OK) return s;
    v1::Policy storage;
    const v1::Policy* p = nullptr;
    s = OptionalPolicy(policy, policy_len, format, options, &storage, &p);
    if (s != STANDING_OK) return s;
    bool allow = options != nullptr && options->allow_policy_change;
    return Loaded(
        standing::Engine::LoadSnapshot(View(snapshot, snapshot_len), p, allow,
                                       ToEngineOptions(options)),
        options, out);
  });
}

standing_status standing_engine_load_file(const char* path,
                                          const uint8_t* policy,
                                          size_t policy_len,
                                          standing_policy_format format,
                                          const standing_options* options,
                                          standing_engine** out) {
  return Guard([&] {
    if (out == nullptr) return NullOutput("out");
    if (path == nullptr) return NullOutput("path");
    if (*path == '\0') return Fail(STANDING_INVALID_ARGUMENT, "path is empty");
    v1::Policy storage;
    const v1::Policy* p = nullptr;
    standing_status s =
        OptionalPolicy(policy, policy_len, format, options, &storage, &p);
    if (s != STANDING_OK) return s;
    std::ifstream in(path, std::ios::binary);
    if (!in)
      return Fail(STANDING_IO_ERROR, ErrnoText("cannot open", path, errno));
    bool allow = options != nullptr && options->allow_policy_change;
    return Loaded(
        standing::Engine::LoadSnapshot(in, p, allow, ToEngineOptions(options)),
        options, out);
  });
}

}  // extern "C"
