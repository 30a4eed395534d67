/*
 * standing.h - the stable C ABI of the standing engine (libstanding.so.1).
 *
 * Plain C99; nothing here needs a C++ compiler. Conventions (see also
 * docs/c-abi.md, which is the longer form of this comment):
 *
 * Names.   Everything exported starts with `standing_`; macros with
 *          `STANDING_`. Engine functions are `standing_engine_<verb>`.
 *
 * Status.  Every function that can fail returns a `standing_status`;
 *          STANDING_OK (0) is success. The message of the most recent call
 *          on the calling thread is available from standing_last_error()
 *          (empty after a success). Functions that cannot fail (version
 *          queries, standing_last_error, standing_status_name and the
 *          release functions standing_buffer_free and
 *          standing_options_destroy) return their value or nothing.
 *
 * Data.    Structured data crosses the boundary as serialized protobuf
 *          messages of the package `standing.v1` (proto/standing/v1/):
 *          inputs as (const uint8_t* data, size_t len), results in a
 *          standing_buffer that the library allocates and the caller
 *          releases with standing_buffer_free. `data` may be NULL only when
 *          `len` is 0. Inputs are only read during the call; the library
 *          keeps no pointer to them. The size of each input message is
 *          limited by the engine's max_message_bytes (default 64 MiB,
 *          STANDING_TOO_LARGE beyond).
 *
 * Strings. Identifiers (customer ids, program and tier names, page tokens)
 *          are UTF-8 given as pointer + length, not NUL-terminated;
 *          invalid UTF-8 is STANDING_INVALID_ARGUMENT. File paths are
 *          NUL-terminated strings in the platform's encoding.
 *
 * Time.    Instants are int64 seconds since the Unix epoch, UTC.
 *
 * Outputs. Output parameters are written only on success, except that a
 *          standing_buffer output is always reset to {NULL, 0} first, so
 *          it is safe to release it after any call. Optional outputs may
 *          be NULL (the result is then discarded).
 *
 * Threads. An engine may be used from any number of threads at once: reads
 *          (get_customer, explain, list, snapshot, ...) run concurrently,
 *          writes (apply, apply_batch, review, replace_policy) run one at a
 *          time and readers never see a half-applied event. The only
 *          exception: standing_engine_close must not run concurrently with
 *          any other call on the same engine. Options objects are not
 *          synchronised. standing_last_error is per thread.
 *
 * Stability. Enumerator values never change; new status codes, formats and
 *          functions are only appended. Callers must treat an unknown
 *          status code as an error. STANDING_ABI_VERSION is raised (with
 *          the SONAME) on any incompatible change.
 */
#ifndef STANDING_STANDING_H_
#define STANDING_STANDING_H_

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#if defined(STANDING_BUILDING_LIBRARY)
#define STANDING_API __declspec(dllexport)
#else
#define STANDING_API __declspec(dllimport)
#endif
#elif defined(__GNUC__) && defined(STANDING_BUILDING_LIBRARY)
#define STANDING_API __attribute__((visibility("default")))
#else
#define STANDING_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The ABI this header describes; compare with standing_abi_version(). */
#define STANDING_ABI_VERSION 1

/* ----------------------------------------------------------------------
 * Status codes. Values are stable; new codes are appended.
 * ---------------------------------------------------------------------- */
typedef enum standing_status {
  STANDING_OK = 0,
  /* A NULL pointer, a zero length, an out-of-range number, invalid UTF-8,
   * or an event the engine refuses (bad field, wrong currency, undeclared
   * attribute). */
  STANDING_INVALID_ARGUMENT = 1,
  /* Unknown customer, program or tier. */
  STANDING_NOT_FOUND = 2,
  /* The customer is already enrolled. */
  STANDING_ALREADY_EXISTS = 3,
  /* An event older than the late-event horizon or before enrolment. */
  STANDING_OUT_OF_RANGE = 4,
  /* The operation does not fit the engine's state (e.g. a snapshot taken
   * under another policy). */
  STANDING_FAILED_PRECONDITION = 5,
  /* The policy does not parse or does not validate; the message starts with
   * the path of the offending field. */
  STANDING_POLICY_ERROR = 6,
  /* Bytes that are not a valid serialized message (garbage, truncated, bad
   * UTF-8 in a string field) or a corrupt snapshot. */
  STANDING_MALFORMED_MESSAGE = 7,
  /* An input larger than the engine's max_message_bytes. */
  STANDING_TOO_LARGE = 8,
  /* A file could not be opened, read or written. */
  STANDING_IO_ERROR = 9,
  /* Not supported by this build. */
  STANDING_UNIMPLEMENTED = 10,
  /* Memory allocation failed. */
  STANDING_OUT_OF_MEMORY = 11,
  /* A bug in the library; the message says more. */
  STANDING_INTERNAL = 12,
  /* The caller's role may not do this (e.g. a credit approval by a role
   * the approval step does not allow, a limit increase by a role that may
   * not grant one). Added to ABI 1 (appended). */
  STANDING_PERMISSION_DENIED = 13
} standing_status;

/* How much of a customer standing_engine_get_customer_view returns. */
typedef enum standing_customer_view {
  /* Everything: what standing_engine_get_customer returns. */
  STANDING_VIEW_FULL = 0,
  /* The id and the standings (one complete standing.v1.ProgramStanding
   * per program); no attributes, enrolment instant or metrics. */
  STANDING_VIEW_STANDING = 1
} standing_customer_view;

/* Encodings of a policy (a standing.v1.Policy message). */
typedef enum standing_policy_format {
  STANDING_FORMAT_JSON = 0,  /* protobuf JSON mapping, UTF-8 */
  STANDING_FORMAT_TEXT = 1,  /* protobuf text format */
  STANDING_FORMAT_BINARY = 2 /* protobuf binary wire format */
} standing_policy_format;

/* An engine: a policy plus the state of every customer. Opaque. */
typedef struct standing_engine standing_engine;

/* Settings for opening or loading an engine. Opaque; see
 * standing_options_create. */
typedef struct standing_options standing_options;

/* Bytes allocated by the library and owned by the caller, who releases
 * them with standing_buffer_free. `data` is NULL when `len` is 0 (an empty
 * message serializes to zero bytes). */
typedef struct standing_buffer {
  uint8_t* data;
  size_t len;
} standing_buffer;

/* ----------------------------------------------------------------------
 * Library information and errors. All thread-safe; never fail.
 * ---------------------------------------------------------------------- */

/* The library version, e.g. "0.1.0". Static storage; never NULL.
 * Thread-safe. */
STANDING_API const char* standing_version(void);

/* The ABI version the library implements (STANDING_ABI_VERSION of the
 * header it was built with).
 * Thread-safe. */
STANDING_API int32_t standing_abi_version(void);

/* The message of the most recent call on this thread that returns a
 * standing_status: empty ("") after a success. Never NULL. The pointer is
 * valid until the next call into the library on this thread.
 * Thread-safe (per thread). The string is owned by the library. */
STANDING_API const char* standing_last_error(void);

/* The enumerator name of `status`, e.g. "STANDING_NOT_FOUND";
 * "STANDING_UNKNOWN_STATUS" for values this library does not know. Static
 * storage; never NULL.
 * Thread-safe. */
STANDING_API const char* standing_status_name(standing_status status);

/* Releases the bytes of `buffer` and resets it to {NULL, 0}. A NULL
 * `buffer`, or one already released or zero-initialised, is a no-op. Any
 * thread may release a buffer.
 * Thread-safe for distinct buffers. */
STANDING_API void standing_buffer_free(standing_buffer* buffer);

/* ----------------------------------------------------------------------
 * Options. An options object is owned by the caller, who destroys it with
 * standing_options_destroy; functions taking options only read them during
 * the call. Passing NULL options means all defaults. Not synchronised: do
 * not modify one object from two threads at once.
 * ---------------------------------------------------------------------- */

/* Creates options with the defaults. Errors: INVALID_ARGUMENT (out is
 * NULL), OUT_OF_MEMORY.
 * Thread-safe. *out is owned by the caller: standing_options_destroy. */
STANDING_API standing_status standing_options_create(standing_options** out);

/* Destroys `options` (NULL is a no-op).
 * Not concurrently with other use of the same options. */
STANDING_API void standing_options_destroy(standing_options* options);

/* The largest input message (policy, event, event batch, identifier) the
 * engine accepts, in bytes: 1 .. 2^31-1, default 64 MiB. Larger inputs are
 * refused with STANDING_TOO_LARGE before they are parsed. Errors:
 * INVALID_ARGUMENT (NULL options), OUT_OF_RANGE (0 or above 2^31-1).
 * Not concurrently with other use of the same options. */
STANDING_API standing_status standing_options_set_max_message_bytes(
    standing_options* options, size_t max_bytes);

/* Threads used by review; 0 (default) uses the hardware concurrency.
 * Errors: INVALID_ARGUMENT (NULL options), OUT_OF_RANGE (negative).
 * Not concurrently with other use of the same options. */
STANDING_API standing_status
standing_options_set_review_threads(standing_options* options, int32_t threads);

/* For standing_engine_load*: when nonzero, a snapshot taken under another
 * policy is loaded under its own policy and then moved to the given one
 * (as replace_policy does); when 0 (default) that is
 * STANDING_FAILED_PRECONDITION. Errors: INVALID_ARGUMENT (NULL options).
 * Not concurrently with other use of the same options. */
STANDING_API standing_status standing_options_set_allow_policy_change(
    standing_options* options, int32_t allow);

/* ----------------------------------------------------------------------
 * Engine lifetime.
 * ---------------------------------------------------------------------- */

/* Parses `policy` (a standing.v1.Policy in `format`), validates it and
 * opens an engine with no customers. On success `*out` is a new engine
 * owned by the caller (release with standing_engine_close); on error
 * `*out` is left unchanged. `options` may be NULL.
 * Errors: INVALID_ARGUMENT (NULL out, NULL policy with nonzero length,
 * empty policy, unknown format), TOO_LARGE, POLICY_ERROR (does not parse
 * or validate; the message names the field).
 * Thread-safe. Ownership: *out is the caller's (standing_engine_close);
 * `options` is only read during the call. */
STANDING_API standing_status standing_engine_open(
    const uint8_t* policy, size_t policy_len, standing_policy_format format,
    const standing_options* options, standing_engine** out);

/* Closes `engine` and frees its state. NULL is a no-op (STANDING_OK).
 * Must not run concurrently with any other call on the same engine; the
 * engine must not be used afterwards. Buffers returned earlier stay valid.
 * Always returns STANDING_OK.
 * Exclusive: no other call on this engine may run concurrently. */
STANDING_API standing_status standing_engine_close(standing_engine* engine);

/* Replaces the policy (see docs/semantics.md, "Policy replacement"). The
 * tier changes it causes are written to `transitions` (optional) as a
 * serialized standing.v1.TransitionList. A policy that fails leaves the
 * engine unchanged. A write: serialised with other writes.
 * Errors: INVALID_ARGUMENT, TOO_LARGE, POLICY_ERROR.
 * Thread-safety: a write. Ownership: *transitions is the caller's
 * (standing_buffer_free). */
STANDING_API standing_status standing_engine_replace_policy(
    standing_engine* engine, const uint8_t* policy, size_t policy_len,
    standing_policy_format format, standing_buffer* transitions);

/* ----------------------------------------------------------------------
 * Events. Writes: serialised with each other, concurrent with nothing
 * that would observe a half-applied event.
 * ---------------------------------------------------------------------- */

/* Applies one event (a serialized standing.v1.Event, nonempty). The tier
 * changes it causes are written to `transitions` (optional) as a
 * serialized standing.v1.TransitionList. On error the engine is unchanged.
 * Errors: INVALID_ARGUMENT (NULL engine, empty event, bad field, wrong
 * currency, undeclared attribute), TOO_LARGE, MALFORMED_MESSAGE,
 * NOT_FOUND (unknown customer; a payment for an unknown invoice, an
 * invoice or cancellation naming no open order), ALREADY_EXISTS (enrolled
 * twice, an invoice or order id already open), OUT_OF_RANGE (older than
 * the late-event horizon, before enrolment), FAILED_PRECONDITION (a credit
 * event under a policy without credit, an approval with nothing pending),
 * PERMISSION_DENIED (a credit approval or limit increase by a role the
 * policy does not allow).
 * Thread-safety: a write. Ownership: *transitions is the caller's
 * (standing_buffer_free). */
STANDING_API standing_status
standing_engine_apply(standing_engine* engine, const uint8_t* event,
                      size_t event_len, standing_buffer* transitions);

/* Applies the events of `batch` (a serialized standing.v1.EventBatch; an
 * empty batch is zero bytes) in order under one lock. Stops at the first
 * event that fails: its error is returned and its message starts with
 * `events[i]: `; the events before it stay applied and their transitions
 * are still written to `transitions` (optional). `*applied` (optional) is
 * set to the number of events applied, also on error (0 when the batch
 * does not parse).
 * Errors: as standing_engine_apply, plus MALFORMED_MESSAGE for a batch
 * that does not parse (nothing is applied then).
 * Thread-safety: a write. Ownership: *transitions is the caller's
 * (standing_buffer_free), also after an error. */
STANDING_API standing_status standing_engine_apply_batch(
    standing_engine* engine, const uint8_t* batch, size_t batch_len,
    standing_buffer* transitions, size_t* applied);

/* Runs every scheduled evaluation due at or before `as_of_seconds` and
 * advances the engine's clock to it; the tier changes go to `transitions`
 * (optional) as a serialized standing.v1.TransitionList.
 * Errors: INVALID_ARGUMENT, OUT_OF_RANGE.
 * Thread-safety: a write. Ownership: *transitions is the caller's
 * (standing_buffer_free). */
STANDING_API standing_status
standing_engine_review(standing_engine* engine, int64_t as_of_seconds,
                       standing_buffer* transitions);

/* ----------------------------------------------------------------------
 * Queries. Reads: any number run concurrently with each other and with
 * writes.
 * ---------------------------------------------------------------------- */

/* The customer `id` as a serialized standing.v1.Customer in `*customer`
 * (required). Errors: INVALID_ARGUMENT (NULL engine or output, empty id,
 * invalid UTF-8), TOO_LARGE, NOT_FOUND.
 * Thread-safety: a read. Ownership: *customer is the caller's
 * (standing_buffer_free). */
STANDING_API standing_status
standing_engine_get_customer(const standing_engine* engine, const char* id,
                             size_t id_len, standing_buffer* customer);

/* The customer `id` as a serialized standing.v1.Customer in `*customer`
 * (required), with the fields `view` selects: STANDING_VIEW_FULL is
 * standing_engine_get_customer; STANDING_VIEW_STANDING sets only `id` and
 * `standings` (a smaller message, quicker to build and to parse).
 * Errors: INVALID_ARGUMENT (NULL engine or output, empty id, invalid
 * UTF-8, unknown view), TOO_LARGE, NOT_FOUND.
 * Thread-safety: a read. Ownership: *customer is the caller's
 * (standing_buffer_free). Added to ABI 1 (additive). */
STANDING_API standing_status standing_engine_get_customer_view(
    const standing_engine* engine, const char* id, size_t id_len,
    standing_customer_view view, standing_buffer* customer);

/* The index of customer `id`'s current tier in `program` in
 * `*tier_index` (required): 0 is the program's base tier, then the tiers
 * in policy order (standing.v1.ProgramStanding.tier_index). Allocates
 * nothing: the narrow call for "which tier is this customer in".
 * Errors: INVALID_ARGUMENT (NULL engine or output, empty id or program,
 * invalid UTF-8), TOO_LARGE, NOT_FOUND (customer or program).
 * Thread-safety: a read. Ownership: nothing to release. Added to ABI 1
 * (additive). */
STANDING_API standing_status standing_engine_get_tier(
    const standing_engine* engine, const char* id, size_t id_len,
    const char* program, size_t program_len, int32_t* tier_index);

/* Why customer `id` is in its tier of `program`, as a serialized
 * standing.v1.Explanation in `*explanation` (required).
 * Errors: INVALID_ARGUMENT, TOO_LARGE, NOT_FOUND (customer or program).
 * Thread-safety: a read. Ownership: *explanation is the caller's
 * (standing_buffer_free). */
STANDING_API standing_status standing_engine_explain(
    const standing_engine* engine, const char* id, size_t id_len,
    const char* program, size_t program_len, standing_buffer* explanation);

/* One page of the customers in `tier` of `program`, in enrolment order, as
 * a serialized standing.v1.CustomerPage in `*page` (required). The first
 * page has an empty token (NULL, 0); pass the previous page's
 * next_page_token for the next; an empty next_page_token ends the listing.
 * `page_size` must be positive (the engine may return fewer).
 * Errors: INVALID_ARGUMENT (bad token or size, invalid UTF-8), TOO_LARGE,
 * NOT_FOUND (program or tier).
 * Thread-safety: a read. Ownership: *page is the caller's
 * (standing_buffer_free). */
STANDING_API standing_status standing_engine_list_by_tier(
    const standing_engine* engine, const char* program, size_t program_len,
    const char* tier, size_t tier_len, const char* page_token,
    size_t page_token_len, int32_t page_size, standing_buffer* page);

/* The engine's policy as a serialized (binary) standing.v1.Policy in
 * `*policy` (required). Errors: INVALID_ARGUMENT.
 * Thread-safety: a read. Ownership: *policy is the caller's
 * (standing_buffer_free). */
STANDING_API standing_status
standing_engine_policy(const standing_engine* engine, standing_buffer* policy);

/* The latest event or review instant the engine has seen. Errors:
 * INVALID_ARGUMENT (NULL engine or out).
 * Thread-safety: a read. */
STANDING_API standing_status
standing_engine_clock(const standing_engine* engine, int64_t* out_seconds);

/* The number of customers. Errors: INVALID_ARGUMENT.
 * Thread-safety: a read. */
STANDING_API standing_status standing_engine_customer_count(
    const standing_engine* engine, uint64_t* out_count);

/* ----------------------------------------------------------------------
 * Service levels (docs/service-levels.md): entitlements, service requests
 * and their deadlines, overdue cadences and obligations, account-manager
 * capacity, percentage targets, working-time arithmetic. Policy data lives
 * in Policy.calendars, Policy.service_levels and the tiers; results are
 * the messages of proto/standing/v1/service.proto.
 *
 * Every function here is a read: any number run concurrently with each
 * other and with the other reads; writes wait (results are never
 * half-applied). Common errors: INVALID_ARGUMENT for a NULL engine or
 * output, an identifier that is NULL with a nonzero length or not UTF-8, or
 * a negative limit; TOO_LARGE for an input above max_message_bytes.
 * Ownership: the output buffer is the caller's (standing_buffer_free);
 * inputs are only read during the call.
 * ---------------------------------------------------------------------- */

/* What customer `id` is entitled to now, across programs, and where each
 * entitlement comes from, as a serialized standing.v1.EntitlementSet in
 * `*out` (required).
 * Errors: INVALID_ARGUMENT (empty id), TOO_LARGE, NOT_FOUND (customer).
 * Thread-safety: a read. Ownership: *out is the caller's. */
STANDING_API standing_status standing_engine_resolve_entitlements(
    const standing_engine* engine, const char* id, size_t id_len,
    standing_buffer* out);

/* The open service request `request_id` of customer `id`: its deadline
 * rule, due times and breach state as of `as_of_seconds` (0: the engine's
 * clock), as a serialized standing.v1.RequestStatus in `*out` (required).
 * Errors: INVALID_ARGUMENT (empty id or request id), TOO_LARGE, NOT_FOUND
 * (customer or request).
 * Thread-safety: a read. Ownership: *out is the caller's. */
STANDING_API standing_status standing_engine_get_request(
    const standing_engine* engine, const char* id, size_t id_len,
    const char* request_id, size_t request_id_len, int64_t as_of_seconds,
    standing_buffer* out);

/* "By when must we answer this?": the due times a request of
 * `request_type` and `priority` (either may be empty: NULL, 0) would get
 * if customer `id` opened it at `at_seconds` (0: the engine's clock),
 * without opening it, as a serialized standing.v1.RequestStatus in `*out`
 * (required; `rule` is empty when no deadline rule matches).
 * Errors: INVALID_ARGUMENT (empty id; an argument the engine refuses),
 * TOO_LARGE, NOT_FOUND (customer).
 * Thread-safety: a read. Ownership: *out is the caller's. */
STANDING_API standing_status standing_engine_preview_request(
    const standing_engine* engine, const char* id, size_t id_len,
    const char* request_type, size_t request_type_len, const char* priority,
    size_t priority_len, int64_t at_seconds, standing_buffer* out);

/* Open requests past their response or resolution due time as of
 * `as_of_seconds` (0: the engine's clock), most overdue first, at most
 * `limit` (0: 1000; `truncated` tells whether more matched), as a
 * serialized standing.v1.BreachList in `*out` (required).
 * Errors: INVALID_ARGUMENT (negative limit).
 * Thread-safety: a read. Ownership: *out is the caller's. */
STANDING_API standing_status standing_engine_list_breaches(
    const standing_engine* engine, int64_t as_of_seconds, int32_t limit,
    standing_buffer* out);

/* Contact cadences and obligations past due, selected by `query` (a
 * serialized standing.v1.OverdueQuery: manager or unowned customers, kind,
 * program and tier, time range, limit; zero bytes is the default query:
 * everyone, as of the engine's clock), as a serialized
 * standing.v1.OverdueList in `*out` (required).
 * Errors: INVALID_ARGUMENT (unknown kind, negative limit, a query the
 * engine refuses), TOO_LARGE, MALFORMED_MESSAGE (not an OverdueQuery),
 * NOT_FOUND (program or tier).
 * Thread-safety: a read. Ownership: *out is the caller's. */
STANDING_API standing_status standing_engine_list_overdue(
    const standing_engine* engine, const uint8_t* query, size_t query_len,
    standing_buffer* out);

/* Managers over capacity (highest load first) and customers of tiers that
 * require a manager but have none (the first `limit` ids; 0: 1000), as a
 * serialized standing.v1.CapacityReport in `*out` (required).
 * Errors: INVALID_ARGUMENT (negative limit).
 * Thread-safety: a read. Ownership: *out is the caller's. */
STANDING_API standing_status standing_engine_capacity_report(
    const standing_engine* engine, int32_t limit, standing_buffer* out);

/* Compliance with every percentage target of the policy, per target,
 * period and tier, as a serialized standing.v1.ComplianceReport in `*out`
 * (required; zero bytes when the policy has no targets or nothing was
 * counted yet).
 * Errors: INVALID_ARGUMENT (NULL engine or out).
 * Thread-safety: a read. Ownership: *out is the caller's. */
STANDING_API standing_status
standing_engine_compliance(const standing_engine* engine, standing_buffer* out);

/* `at_seconds` plus `duration` (a serialized standing.v1.DurationSpec,
 * nonempty), in calendar or working time on the policy's calendars, in
 * `*out_seconds` (required; written only on success).
 * Errors: INVALID_ARGUMENT (empty duration, unknown unit, negative amount,
 * unknown calendar, a working unit without a calendar), TOO_LARGE,
 * MALFORMED_MESSAGE (not a DurationSpec).
 * Thread-safety: a read. */
STANDING_API standing_status standing_engine_add_duration(
    const standing_engine* engine, int64_t at_seconds, const uint8_t* duration,
    size_t duration_len, int64_t* out_seconds);

/* ----------------------------------------------------------------------
 * Credit (docs/credit.md): the credit check, the credit record and the
 * credit report. Policy data lives in Policy.credit (grades, score sheet,
 * hard rules, approval steps, readers); receivables, orders, approvals and
 * temporary limit increases arrive as events (Invoice, Payment,
 * OrderPlaced, OrderCancelled, CreditApproval, CreditLimitIncrease) through
 * standing_engine_apply; grade changes come back as transitions whose
 * program is the credit policy's name. Results are the messages of
 * proto/standing/v1/credit.proto; amounts are minor units of the policy
 * currency.
 *
 * Every function here is a read: any number run concurrently with each
 * other and with the other reads; writes wait (results are never
 * half-applied). Common errors: INVALID_ARGUMENT for a NULL engine or
 * output, an identifier that is NULL with a nonzero length or not UTF-8;
 * TOO_LARGE for an identifier above max_message_bytes; FAILED_PRECONDITION
 * when the policy has no credit section. The output buffer is required
 * and is reset to {NULL, 0} on entry.
 * Ownership: the output buffer is the caller's (standing_buffer_free);
 * inputs are only read during the call.
 * ---------------------------------------------------------------------- */

/* "May customer `id` take an order of `amount` (minor units, > 0) on
 * credit?" as of `at_seconds` (0: the engine's clock; temporary increases
 * and days past due are taken at that instant), as a serialized
 * standing.v1.CreditDecision in `*out`: APPROVE / WARN / BLOCK following
 * the grade's control mode, the findings (OVER_LIMIT with the excess,
 * OVERDUE with the days past due, GRADE_BLOCKED) and the credit available
 * before this order. No side effects: reserving the amount is an
 * OrderPlaced event. Allocates only the result buffer once warm.
 * Errors: INVALID_ARGUMENT (empty id, amount <= 0), TOO_LARGE, NOT_FOUND
 * (customer), FAILED_PRECONDITION (no credit policy).
 * Thread-safety: a read. Ownership: *out is the caller's. Added to ABI 1
 * (additive). */
STANDING_API standing_status standing_engine_check_credit(
    const standing_engine* engine, const char* id, size_t id_len,
    int64_t amount, int64_t at_seconds, standing_buffer* out);

/* The credit record of customer `id` as a caller with `role` may see it,
 * as a serialized standing.v1.CreditRecord in `*out`. For the roles of
 * the policy's credit.readers: grade, limit (with active temporary
 * increases), term, control mode, criteria, increases and the pending
 * approval. For any other role (an empty role too: NULL, 0) those fields
 * are absent, `redacted` is set and the refusal is counted
 * (CreditReport.refused_reads); the call still succeeds. Receivables are
 * always present, as of the engine's clock.
 * Errors: INVALID_ARGUMENT (empty id, role not UTF-8), TOO_LARGE,
 * NOT_FOUND (customer), FAILED_PRECONDITION (no credit policy).
 * Thread-safety: a read (the refusal counter is atomic). Ownership: *out
 * is the caller's. Added to ABI 1 (additive). */
STANDING_API standing_status standing_engine_get_credit_record(
    const standing_engine* engine, const char* id, size_t id_len,
    const char* role, size_t role_len, standing_buffer* out);

/* Customers per grade (lowest first), pending and escalated approvals with
 * the first `limit` pending ones (0: 1000) by step due time, refused
 * credit-record reads since the engine was opened, and customers overdue,
 * as a serialized standing.v1.CreditReport in `*out`.
 * Errors: INVALID_ARGUMENT (negative limit), FAILED_PRECONDITION (no
 * credit policy).
 * Thread-safety: a read. Ownership: *out is the caller's. Added to ABI 1
 * (additive). */
STANDING_API standing_status standing_engine_get_credit_report(
    const standing_engine* engine, int32_t limit, standing_buffer* out);

/* ----------------------------------------------------------------------
 * Snapshots (format: proto/standing/v1/snapshot.proto). Taking one is a
 * read; loading creates a new engine.
 * ---------------------------------------------------------------------- */

/* The whole state in `*snapshot` (required). Errors: INVALID_ARGUMENT,
 * OUT_OF_MEMORY.
 * Thread-safety: a read (a consistent state; writes wait). Ownership: *snapshot
 * is the caller's (standing_buffer_free). */
STANDING_API standing_status standing_engine_snapshot(
    const standing_engine* engine, standing_buffer* snapshot);

/* Writes the snapshot to the file `path` (NUL-terminated). The file is
 * written under a temporary name next to it and renamed into place, so
 * `path` holds either the old or the complete new snapshot.
 * Errors: INVALID_ARGUMENT (NULL or empty path), IO_ERROR.
 * Thread-safety: a read (a consistent state; writes wait). */
STANDING_API standing_status standing_engine_save(const standing_engine* engine,
                                                  const char* path);

/* Opens an engine from a snapshot in memory. `policy` (optional: NULL and
 * 0 use the snapshot's own policy) is a standing.v1.Policy in `format`;
 * unless options allow a policy change, its fingerprint must equal the
 * snapshot's. On success `*out` is a new engine owned by the caller.
 * Errors: INVALID_ARGUMENT, TOO_LARGE (policy), POLICY_ERROR,
 * MALFORMED_MESSAGE (not a snapshot, truncated, corrupt),
 * FAILED_PRECONDITION (taken under another policy).
 * Thread-safe. Ownership: *out is the caller's (standing_engine_close); inputs
 * are only read during the call. */
STANDING_API standing_status standing_engine_load(
    const uint8_t* snapshot, size_t snapshot_len, const uint8_t* policy,
    size_t policy_len, standing_policy_format format,
    const standing_options* options, standing_engine** out);

/* As standing_engine_load, reading the snapshot from the file `path`
 * (NUL-terminated). Errors: as standing_engine_load, plus IO_ERROR.
 * Thread-safe. Ownership: *out is the caller's (standing_engine_close). */
STANDING_API standing_status standing_engine_load_file(
    const char* path, const uint8_t* policy, size_t policy_len,
    standing_policy_format format, const standing_options* options,
    standing_engine** out);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* STANDING_STANDING_H_ */
