// Engine::ResolveEntitlements: a customer's entitlements across programs,
// read from the tables CompileEntitlements built (inheritance and
// favourability precomputed), written into a reused EntitlementSet.
#include <cstdint>
#include <cstring>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "absl/container/inlined_vector.h"
#include "absl/status/status.h"
#include "compiled_policy.h"
#include "engine_state.h"
#include "entitlements.h"
#include "message_reuse.h"
#include "metric_state.h"
#include "standing/engine.h"

namespace standing {
namespace {

// Elements trimmed off a shorter result are parked here and handed back to
// the next longer one on this thread. RemoveLast would keep them but clear
// them, which deletes their `value` sub-message, so results of varying
// length (customers in different tiers) would allocate on every call.
constexpr size_t kMaxSpares = 256;
thread_local std::vector<std::unique_ptr<v1::ResolvedEntitlement>> spares;

v1::ResolvedEntitlement* NextElement(
    google::protobuf::RepeatedPtrField<v1::ResolvedEntitlement>* list,
    int index) {
  if (index < list->size()) return list->Mutable(index);
  if (!spares.empty() && list->GetArena() == nullptr) {
    v1::ResolvedEntitlement* e = spares.back().release();
    spares.pop_back();
    list->AddAllocated(e);
    return e;
  }
  return list->Add();
}

void Truncate(google::protobuf::RepeatedPtrField<v1::ResolvedEntitlement>* list,
              int size) {
  if (list->GetArena() != nullptr) {
    list->DeleteSubrange(size, list->size() - size);
    return;
  }
  while (list->size() > size) {
    if (spares.size() < kMaxSpares) {
      spares.emplace_back(list->ReleaseLast());
    } else {
      list->RemoveLast();
    }
  }
}

}  // namespace

absl::Status Engine::ResolveEntitlements(std::string_view id_view,
                                         v1::EntitlementSet* out) const {
  const absl::string_view id(id_view.data(), id_view.size());
  std::shared_lock lock(state_->mu);
  const EngineState& st = *state_;
  auto found = st.FindOrNotFound(id);
  if (!found.ok()) return found.status();
  const CustomerRecord* rec = *found;
  const CompiledPolicy& policy = *st.policy;
  const CompiledEntitlements& ents = policy.entitlements;

  STANDING_ASSIGN(out, customer_id, rec->id);
  const int programs = static_cast<int>(policy.programs.size());
  // The customer's row in each program's table, and its tier there.
  absl::InlinedVector<const EntitlementCell*, 8> rows(programs);
  absl::InlinedVector<int, 8> tiers(programs);
  for (int p = 0; p < programs; ++p) {
    tiers[p] = ProgramState(policy, rec->words.get(), p).tier();
    rows[p] = ents.Row(p, tiers[p]);
  }

  auto* list = out->mutable_entitlements();
  int size = 0;
  const int decls = static_cast<int>(ents.decls.size());
  for (int e = 0; e < decls; ++e) {
    int best = -1;
    int32_t best_score = EntitlementCell::kAbsent;
    for (int p = 0; p < programs; ++p) {
      // Strictly greater: on a tie the earlier program keeps it.
      if (rows[p][e].score > best_score) {
        best_score = rows[p][e].score;
        best = p;
      }
    }
    if (best < 0) continue;
    const EntitlementCell& cell = rows[best][e];
    const CompiledProgram& prog = policy.programs[best];
    v1::ResolvedEntitlement* r = NextElement(list, size++);
    // Assignments reuse the strings' capacity: no allocation once warm.
    STANDING_ASSIGN(r, name, ents.decls[e].name);
    r->set_type(ents.decls[e].type);
    ents.WriteValue(e, cell, r->mutable_value());
    STANDING_ASSIGN(r, program, prog.name);
    STANDING_ASSIGN(r, tier, prog.tiers[tiers[best]].name);
    STANDING_ASSIGN(r, defined_by_tier, prog.tiers[cell.defined_by].name);
  }
  Truncate(list, size);
  return absl::OkStatus();
}

#undef STANDING_ASSIGN

}  // namespace standing
