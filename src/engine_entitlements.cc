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

// The element for entitlement `name` at `index`. Consecutive customers in
// different tiers hold different entitlements, so the element at `index`
// usually carries another name: an element further down the list, or a
// parked one, that already carries this name (and so the value type) is
// swapped in instead, which leaves only the fields that differ to write.
v1::ResolvedEntitlement* NextElement(
    google::protobuf::RepeatedPtrField<v1::ResolvedEntitlement>* list,
    int index, const std::string& name) {
  const int size = list->size();
  if (index < size) {
    if (Same(list->Get(index).name(), name)) return list->Mutable(index);
    for (int j = index + 1; j < size; ++j) {
      if (Same(list->Get(j).name(), name)) {
        list->SwapElements(index, j);
        return list->Mutable(index);
      }
    }
  }
  if (list->GetArena() == nullptr) {
    for (size_t k = spares.size(); k-- > 0;) {
      if (!Same(spares[k]->name(), name)) continue;
      std::swap(spares[k], spares.back());
      v1::ResolvedEntitlement* e = spares.back().release();
      spares.pop_back();
      list->AddAllocated(e);  // at the end: size
      if (index < size) list->SwapElements(index, size);
      return list->Mutable(index);
    }
  }
  if (index < size) return list->Mutable(index);
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
  const CustomerRecord* rec = st.Find(id);
  if (rec == nullptr) return st.FindOrNotFound(id).status();
  const CompiledPolicy& policy = *st.policy;
  const CompiledEntitlements& ents = policy.entitlements;

  STANDING_ASSIGN(out, customer_id, rec->id);
  const int programs = static_cast<int>(policy.programs.size());
  // The customer's row in each program's table, and its tier there. Not
  // value-initialised: zeroing them (rep stos) cost more than filling them.
  constexpr int kInline = 8;
  const EntitlementCell* rows_inline[kInline];
  int tiers_inline[kInline];
  std::vector<const EntitlementCell*> rows_heap;
  std::vector<int> tiers_heap;
  const EntitlementCell** rows = rows_inline;
  int* tiers = tiers_inline;
  if (programs > kInline) {
    rows_heap.resize(programs);
    tiers_heap.resize(programs);
    rows = rows_heap.data();
    tiers = tiers_heap.data();
  }
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
    v1::ResolvedEntitlement* r = NextElement(list, size++, ents.decls[e].name);
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

}  // namespace standing
