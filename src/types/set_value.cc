#include "types/set_value.h"

#include <algorithm>
#include <cstring>
#include <vector>

#include "common/numbers.h"
#include "keyspace/segmented_table.h"

namespace ember {
namespace {

// Redis caps the intset at 2^30 entries whatever the configuration says.
constexpr int64_t kIntsetHardLimit = int64_t{1} << 30;

// A member that the intset can hold: canonical int64 text (no '+', spaces or leading zeros).
bool AsInt(std::string_view member, int64_t* out) {
  if (member.empty() || member.size() > 20) return false;
  auto v = ParseInt64(member);
  if (!v) return false;
  *out = *v;
  return true;
}

size_t DecimalLength(int64_t v) {
  char buf[24];
  return FormatInt64(v, buf);
}

bool IntsetFull(const Intset& ints, const SetLimits& limits) {
  return static_cast<int64_t>(ints.size()) > std::min(limits.intset_entries, kIntsetHardLimit);
}

// Members of the hashtable encoding are records keyed by the member, with an empty value.
Record* NewMemberRecord(std::string_view member) {
  return Record::NewString(member, "", 0);
}

}  // namespace

SetValue::SetValue() = default;

SetValue::SetValue(std::string_view first, size_t size_hint, const SetLimits& limits) {
  int64_t ignored;
  auto hint = static_cast<int64_t>(size_hint);
  if (AsInt(first, &ignored) && hint <= limits.intset_entries) {
    kind_ = Kind::kIntset;
  } else if (hint <= limits.listpack_entries) {
    kind_ = Kind::kListpack;
  } else {
    kind_ = Kind::kHashtable;
    table_ = std::make_unique<SegmentedTable>();
  }
}

SetValue::~SetValue() = default;

Object* SetValue::Clone() const {
  auto* copy = new SetValue();
  copy->kind_ = kind_;
  copy->ints_ = Intset(ints_);
  copy->packed_ = Listpack(packed_);
  if (table_ != nullptr) {
    copy->table_ = std::make_unique<SegmentedTable>();
    ForEach([&](std::string_view m) {
      copy->AddToHashtable(m);
      return true;
    });
  }
  return copy;
}

// O(1): the intset and listpack are one block each, the table counts itself, and
// record_bytes_ follows every member record added or freed.
size_t SetValue::AllocatedBytes() const {
  size_t bytes = sizeof(SetValue) + ints_.AllocatedBytes() + packed_.AllocatedBytes();
  if (table_ != nullptr) bytes += sizeof(SegmentedTable) + table_->TableBytes() + record_bytes_;
  return bytes;
}

size_t SetValue::RecountAllocatedBytes() const {
  size_t bytes = sizeof(SetValue) + ints_.AllocatedBytes() + packed_.AllocatedBytes();
  if (table_ != nullptr) {
    bytes += sizeof(SegmentedTable) + table_->TableBytes();
    table_->Scan(0, SIZE_MAX, [&](Record* r) { bytes += r->AllocatedBytes(); });
  }
  return bytes;
}

const char* SetValue::EncodingName() const {
  switch (kind_) {
    case Kind::kIntset:
      return "intset";
    case Kind::kListpack:
      return "listpack";
    case Kind::kHashtable:
      break;
  }
  return "hashtable";
}

size_t SetValue::size() const {
  switch (kind_) {
    case Kind::kIntset:
      return ints_.size();
    case Kind::kListpack:
      return packed_.size();
    case Kind::kHashtable:
      break;
  }
  return table_->size();
}

size_t SetValue::ListpackFind(std::string_view member) const {
  for (size_t pos = packed_.Front(); pos != packed_.End(); pos = packed_.Next(pos)) {
    if (packed_.Get(pos) == member) return pos;
  }
  return packed_.End();
}

bool SetValue::Contains(std::string_view member) const {
  switch (kind_) {
    case Kind::kIntset: {
      int64_t v;
      return AsInt(member, &v) && ints_.Contains(v);
    }
    case Kind::kListpack:
      return ListpackFind(member) != packed_.End();
    case Kind::kHashtable:
      break;
  }
  return static_cast<bool>(table_->Find(member, HashKey(member)));
}

bool SetValue::AddToHashtable(std::string_view member) {
  uint64_t hash = HashKey(member);
  if (table_->Find(member, hash)) return false;
  Record* r = NewMemberRecord(member);
  record_bytes_ += r->AllocatedBytes();
  table_->Insert(r, hash);
  return true;
}

void SetValue::ConvertToListpack() {
  Listpack packed;
  char buf[24];
  for (size_t i = 0; i < ints_.size(); ++i) {
    packed.PushBack(std::string_view(buf, FormatInt64(ints_.At(i), buf)));
  }
  packed_ = std::move(packed);
  ints_ = Intset();
  kind_ = Kind::kListpack;
}

void SetValue::ConvertToHashtable() {
  auto table = std::make_unique<SegmentedTable>();
  table_.swap(table);
  record_bytes_ = 0;
  Kind old = kind_;
  kind_ = Kind::kHashtable;
  char buf[24];
  if (old == Kind::kIntset) {
    for (size_t i = 0; i < ints_.size(); ++i) {
      AddToHashtable(std::string_view(buf, FormatInt64(ints_.At(i), buf)));
    }
    ints_ = Intset();
  } else {
    for (size_t pos = packed_.Front(); pos != packed_.End(); pos = packed_.Next(pos)) {
      AddToHashtable(packed_.Get(pos));
    }
    packed_.Clear();
  }
}

bool SetValue::Add(std::string_view member, const SetLimits& limits) {
  if (kind_ == Kind::kIntset) {
    int64_t v;
    if (AsInt(member, &v)) {
      if (!ints_.Insert(v)) return false;
      if (IntsetFull(ints_, limits)) ConvertToHashtable();
      return true;
    }
    // A non-integer member: listpack when everything fits, else hashtable.
    size_t widest = ints_.empty() ? 0
                                  : std::max(DecimalLength(ints_.At(0)),
                                             DecimalLength(ints_.At(ints_.size() - 1)));
    auto n = static_cast<int64_t>(ints_.size());
    auto max_value = static_cast<size_t>(std::max<int64_t>(limits.listpack_value, 0));
    if (n < limits.listpack_entries && member.size() <= max_value && widest <= max_value) {
      ConvertToListpack();
    } else {
      ConvertToHashtable();
    }
  }
  if (kind_ == Kind::kListpack) {
    if (ListpackFind(member) != packed_.End()) return false;
    auto n = static_cast<int64_t>(packed_.size());
    if (n < limits.listpack_entries &&
        static_cast<int64_t>(member.size()) <= limits.listpack_value) {
      packed_.PushBack(member);
      return true;
    }
    ConvertToHashtable();
  }
  return AddToHashtable(member);
}

bool SetValue::Remove(std::string_view member) {
  switch (kind_) {
    case Kind::kIntset: {
      int64_t v;
      return AsInt(member, &v) && ints_.Erase(v);
    }
    case Kind::kListpack: {
      size_t pos = ListpackFind(member);
      if (pos == packed_.End()) return false;
      packed_.Erase(pos);
      return true;
    }
    case Kind::kHashtable:
      break;
  }
  auto slot = table_->Find(member, HashKey(member));
  if (!slot) return false;
  Record* r = table_->Erase(slot);
  record_bytes_ -= r->AllocatedBytes();
  Record::Free(r);
  MaybeShrink();
  return true;
}

void SetValue::MaybeShrink() {
  // Segments never merge: after mass removal a table can be mostly empty slots, which costs
  // memory and makes Random() probe long. Below ~10% load, move the records to a fresh table.
  constexpr size_t kMinShrinkBytes = 16 * 1024;
  size_t table_bytes = table_->TableBytes();
  if (table_bytes < kMinShrinkBytes || table_->size() * 64 > table_bytes) return;
  std::vector<Record*> records;
  records.reserve(table_->size());
  table_->Scan(0, SIZE_MAX, [&](Record* r) { records.push_back(r); });
  auto fresh = std::make_unique<SegmentedTable>();
  for (Record* r : records) {
    uint64_t hash = HashKey(r->key());
    table_->Erase(table_->Find(r->key(), hash));
    fresh->Insert(r, hash);
  }
  table_.swap(fresh);
}

void SetValue::ForEach(const std::function<bool(std::string_view)>& fn) const {
  switch (kind_) {
    case Kind::kIntset: {
      char buf[24];
      for (size_t i = 0; i < ints_.size(); ++i) {
        if (!fn(std::string_view(buf, FormatInt64(ints_.At(i), buf)))) return;
      }
      return;
    }
    case Kind::kListpack:
      for (size_t pos = packed_.Front(); pos != packed_.End(); pos = packed_.Next(pos)) {
        if (!fn(packed_.Get(pos))) return;
      }
      return;
    case Kind::kHashtable:
      break;
  }
  bool go = true;
  table_->Scan(0, SIZE_MAX, [&](Record* r) {
    if (go) go = fn(r->key());
  });
}

std::string SetValue::RandomMember(uint64_t random) const {
  switch (kind_) {
    case Kind::kIntset: {
      char buf[24];
      return std::string(buf, FormatInt64(ints_.At(random % ints_.size()), buf));
    }
    case Kind::kListpack:
      return std::string(packed_.Get(packed_.Seek(static_cast<int64_t>(random % packed_.size()))));
    case Kind::kHashtable:
      break;
  }
  return std::string(table_->Random(random)->key());
}

std::string SetValue::PopRandom(uint64_t random) {
  switch (kind_) {
    case Kind::kIntset: {
      size_t index = random % ints_.size();
      char buf[24];
      std::string member(buf, FormatInt64(ints_.At(index), buf));
      ints_.EraseAt(index);
      return member;
    }
    case Kind::kListpack: {
      size_t pos = packed_.Seek(static_cast<int64_t>(random % packed_.size()));
      std::string member(packed_.Get(pos));
      packed_.Erase(pos);
      return member;
    }
    case Kind::kHashtable:
      break;
  }
  std::string member(table_->Random(random)->key());
  Remove(member);
  return member;
}

uint64_t SetValue::Scan(uint64_t cursor, size_t count,
                        const std::function<void(std::string_view)>& fn) const {
  if (kind_ != Kind::kHashtable) {
    ForEach([&](std::string_view m) {
      fn(m);
      return true;
    });
    return 0;
  }
  // Table cursors are 32-bit hash prefixes; a larger client cursor is past the end.
  if (cursor > UINT32_MAX) return 0;
  return table_->Scan(static_cast<uint32_t>(cursor), count, [&](Record* r) { fn(r->key()); });
}

}  // namespace ember
