// Engine::ResolveEntitlements: a customer's entitlements across programs,
// read from the tables CompileEntitlements built (the result per
// combination of tiers, or the rows with inheritance and favourability
// precomputed), written into a reused EntitlementSet.
#include <algorithm>
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

using ElementPtr = std::unique_ptr<v1::ResolvedEntitlement>;

// Bit equality: a stored -0.0 or NaN is rewritten, never kept as "equal".
bool SameNumber(double a, double b) {
  uint64_t x;
  uint64_t y;
  std::memcpy(&x, &a, 8);
  std::memcpy(&y, &b, 8);
  return x == y;
}

// Writes `cell`'s value of declaration `decl` into `out` unless it is
// already there (the usual case for an element that held this cell).
// Inlined for the same reason as WriteElement.
[[gnu::always_inline]] inline void WriteValue(
    const CompiledEntitlements& ents, const CompiledEntitlements::Decl& decl,
    const EntitlementCell& cell, v1::EntitlementValue* out) {
  const auto has = out->value_case();
  switch (decl.type) {
    case v1::EntitlementDecl::PERCENT:
      if (has != v1::EntitlementValue::kPercent ||
          !SameNumber(out->percent(), cell.number)) {
        out->set_percent(cell.number);
      }
      break;
    case v1::EntitlementDecl::MULTIPLIER:
      if (has != v1::EntitlementValue::kMultiplier ||
          !SameNumber(out->multiplier(), cell.number)) {
        out->set_multiplier(cell.number);
      }
      break;
    case v1::EntitlementDecl::RANK:
      out->set_rank(static_cast<int32_t>(cell.integer));
      break;
    case v1::EntitlementDecl::AMOUNT:
      out->set_amount(cell.integer);
      break;
    case v1::EntitlementDecl::FLAG:
      out->set_flag(cell.integer != 0);
      break;
    case v1::EntitlementDecl::TEXT:
      if (has == v1::EntitlementValue::kText) {
        STANDING_ASSIGN(out, text, ents.texts[cell.integer]);
      } else {
        out->set_text(ents.texts[cell.integer]);
      }
      break;
    default:
      out->clear_value();
      break;
  }
}

// Makes `r` the entitlement of `rc`, writing only the fields that differ.
// Inlined into the loop: a call per element saved and restored six
// registers around a body that, for a reused element, only compares.
[[gnu::always_inline]] inline void WriteElement(const CompiledPolicy& policy,
                                                const ResolvedCell& rc,
                                                v1::ResolvedEntitlement* r) {
  const CompiledEntitlements& ents = policy.entitlements;
  const CompiledEntitlements::Decl& decl = ents.decls[rc.decl];
  const CompiledProgram& prog = policy.programs[rc.program];
  const EntitlementCell& cell = ents.cells[rc.cell];
  // Assignments reuse the strings' capacity: no allocation once warm.
  STANDING_ASSIGN(r, name, decl.name);
  if (r->type() != decl.type) r->set_type(decl.type);
  WriteValue(ents, decl, cell, r->mutable_value());
  STANDING_ASSIGN(r, program, prog.name);
  STANDING_ASSIGN(r, tier, prog.tiers[rc.tier].name);
  STANDING_ASSIGN(r, defined_by_tier, prog.tiers[cell.defined_by].name);
}

// Elements of the results handed out on this thread, kept between calls
// by the table cell they were written from. A cell (program, tier,
// entitlement) fixes every field of the element, so a customer whose
// result holds a cell resolved before on this thread gets that element
// back with nothing to write: the call compares its fields and moves
// pointers. Results of customers in different tiers, which used to
// rewrite names and sources on most calls, now mostly reuse elements.
//
// Elements carry no mark of their own: `last_` records which cell each
// element of the last result was written from, and an element is filed
// under that cell only while it sits at the same position of the list
// passed in. What the caller changed in between (or a message filled
// elsewhere) is still corrected, because every field is compared before
// the element is handed out again.
class ElementPool {
 public:
  using List = google::protobuf::RepeatedPtrField<v1::ResolvedEntitlement>;

  // Makes `list` (not on an arena) the result [begin, end).
  void Fill(const CompiledPolicy& policy, const ResolvedCell* begin,
            const ResolvedCell* end, List* list) {
    Begin(policy.entitlements);
    const int old = list->size();
    const int size = static_cast<int>(end - begin);
    // From the first Put to the last replaced position, the pool and the
    // list point to the same elements, so nothing in between may throw:
    // whatever allocates (elements, room in the vectors) happens first.
    while (loose_.size() < static_cast<size_t>(size)) {
      loose_.push_back(std::make_unique<v1::ResolvedEntitlement>());
    }
    loose_.reserve(loose_.size() + old);
    last_.reserve(size);
    list->Reserve(size);  // AddAllocated below must not allocate
    // The list's pointers are rewritten in place, as sorting through
    // pointer_begin() does (its elements are heap objects like ours;
    // ownership moves with the pointer): a store where ReleaseLast and
    // AddAllocated cost a dozen branches each.
    const List::pointer_iterator data = list->pointer_begin();
    for (int i = 0; i < old; ++i) {
      const bool known =
          static_cast<size_t>(i) < last_.size() && last_[i].element == data[i];
      Put(data[i], known ? last_[i].cell : kNoCell);
    }
    last_.clear();
    const int kept = std::min(old, size);
    for (int i = 0; i < kept; ++i) data[i] = Take(begin[i].cell);
    for (int i = old; i > size; --i) {
      static_cast<void>(list->ReleaseLast());  // already the pool's
    }
    // The pool and the list own separate elements again.
    for (int i = kept; i < size; ++i) list->AddAllocated(Take(begin[i].cell));
    for (int i = 0; i < size; ++i) {
      WriteElement(policy, begin[i], list->Mutable(i));
    }
    if (loose_.size() > kMaxLoose + static_cast<size_t>(size)) {
      loose_.resize(kMaxLoose + size);
    }
  }

 private:
  static constexpr uint32_t kNoCell = ~uint32_t{0};
  // Bounds on what one thread keeps (a few hundred bytes per element): a
  // policy with thousands of cells does not keep an element for each.
  static constexpr size_t kMaxFiled = 1024;
  static constexpr size_t kMaxLoose = 64;

  // Starts a call against `ents`. Under another policy (a replacement, or
  // another engine on this thread) the filed elements stay where they
  // are: their keys are then only hints, which is safe because every
  // field is compared, and keeps engines used in turn from freeing and
  // allocating elements at each switch.
  void Begin(const CompiledEntitlements& ents) {
    if (policy_id_ == ents.id) return;
    for (size_t c = ents.cells.size(); c < by_cell_.size(); ++c) {
      if (by_cell_[c] != nullptr) {
        loose_.push_back(std::move(by_cell_[c]));
        --filed_;
      }
    }
    by_cell_.resize(ents.cells.size());
    policy_id_ = ents.id;
  }

  // Takes ownership of `e`; never allocates (Fill reserved the room).
  void Put(v1::ResolvedEntitlement* e, uint32_t cell) {
    if (cell < by_cell_.size() && by_cell_[cell] == nullptr &&
        filed_ < kMaxFiled) {
      by_cell_[cell].reset(e);
      ++filed_;
    } else {
      loose_.emplace_back(e);
    }
  }

  // Gives up an element for `cell`: the one last written from it if there
  // is one. Never allocates: Fill put enough elements in `loose_`.
  v1::ResolvedEntitlement* Take(uint32_t cell) {
    v1::ResolvedEntitlement* e;
    if (by_cell_[cell] != nullptr) {
      e = by_cell_[cell].release();
      --filed_;
    } else {
      e = loose_.back().release();
      loose_.pop_back();
    }
    last_.push_back({e, cell});
    return e;
  }

  struct Written {
    const v1::ResolvedEntitlement* element;
    uint32_t cell;
  };
  uint64_t policy_id_ = ~uint64_t{0};  // matches no compiled policy
  std::vector<ElementPtr> by_cell_;  // indexed like CompiledEntitlements::cells
  size_t filed_ = 0;                 // non-null entries of by_cell_
  std::vector<ElementPtr> loose_;    // any content
  std::vector<Written> last_;        // the last result, in list order
};

thread_local ElementPool pool;

// A message on an arena owns its elements, which cannot move to the pool:
// the element at `index` is rewritten, or one further down that already
// carries this name is swapped in first.
v1::ResolvedEntitlement* ArenaElement(
    google::protobuf::RepeatedPtrField<v1::ResolvedEntitlement>* list,
    int index, const std::string& name) {
  const int size = list->size();
  if (index >= size) return list->Add();
  for (int j = index; j < size; ++j) {
    if (Same(list->Get(j).name(), name)) {
      list->SwapElements(index, j);
      break;
    }
  }
  return list->Mutable(index);
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
  const ResolvedCell* begin = nullptr;
  const ResolvedCell* end = nullptr;
  if (ents.has_table()) {
    // The result of this combination of tiers was resolved with the policy.
    uint32_t combo = 0;
    for (int p = 0; p < programs; ++p) {
      combo += ents.stride[p] *
               static_cast<uint32_t>(
                   ProgramState(policy, rec->words.get(), p).tier());
    }
    begin = ents.table.data() + ents.table_begin[combo];
    end = ents.table.data() + ents.table_begin[combo + 1];
  } else if (!ents.empty()) {
    // Too many combinations to tabulate: resolve from the rows. The
    // scratch grows once per thread, so warm calls do not allocate.
    thread_local std::vector<int> tiers;
    thread_local std::vector<ResolvedCell> scratch;
    tiers.resize(programs);
    scratch.resize(ents.decls.size());
    for (int p = 0; p < programs; ++p) {
      tiers[p] = ProgramState(policy, rec->words.get(), p).tier();
    }
    begin = scratch.data();
    end = begin + ents.Resolve(tiers.data(), scratch.data());
  }

  auto* list = out->mutable_entitlements();
  if (list->GetArena() != nullptr) {
    int size = 0;
    for (const ResolvedCell* it = begin; it != end; ++it) {
      WriteElement(policy, *it,
                   ArenaElement(list, size++, ents.decls[it->decl].name));
    }
    list->DeleteSubrange(size, list->size() - size);
    return absl::OkStatus();
  }
  pool.Fill(policy, begin, end, list);
  return absl::OkStatus();
}

}  // namespace standing
