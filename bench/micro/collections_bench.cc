// Micro benchmarks of the collection values' write paths (LPUSH, RPUSH, HSET, HINCRBY on a
// table hash), without the network or the command table: what a change to ListValue or
// HashValue bookkeeping costs per operation. Allocations go through the server's counting
// operator new/delete, as in ember-server.
//
//   build/release/ember-micro-bench --benchmark_repetitions=5 --benchmark_report_aggregates_only
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "common/counting_new_delete.h"
#include "common/numbers.h"
#include "types/hash_value.h"
#include "types/list_value.h"

namespace ember {
namespace {

constexpr int64_t kDefaultFill = -2;  // list-max-listpack-size's default (8 KiB nodes)
constexpr size_t kListCap = 100000;   // a list is rebuilt after this many pushes
const std::string kValue(16, 'x');    // ember-loadgen's -d 16

void BM_ListPushBack(benchmark::State& state) {
  auto list = std::make_unique<ListValue>(kDefaultFill);
  for (auto _ : state) {
    list->PushBack(kValue);
    if (list->size() == kListCap) list = std::make_unique<ListValue>(kDefaultFill);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ListPushBack);

void BM_ListPushFront(benchmark::State& state) {
  auto list = std::make_unique<ListValue>(kDefaultFill);
  for (auto _ : state) {
    list->PushFront(kValue);
    if (list->size() == kListCap) list = std::make_unique<ListValue>(kDefaultFill);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ListPushFront);

// LPUSH then RPOP: a queue at a steady length (the head node's front gap, node drops).
void BM_ListQueue(benchmark::State& state) {
  ListValue list(kDefaultFill);
  for (int i = 0; i < 1000; ++i) list.PushFront(kValue);
  for (auto _ : state) {
    list.PushFront(kValue);
    benchmark::DoNotOptimize(list.PopBack());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_ListQueue);

std::vector<std::string> Fields(size_t count) {
  std::vector<std::string> fields;
  for (size_t i = 0; i < count; ++i) fields.push_back("element:" + std::to_string(i));
  return fields;
}

// HSET of a random field among range(0) (new fields first, then overwrites).
void BM_HashSet(benchmark::State& state) {
  auto fields = Fields(static_cast<size_t>(state.range(0)));
  std::mt19937_64 rng(1);
  HashValue hash;
  for (auto _ : state) {
    benchmark::DoNotOptimize(hash.Set(fields[rng() % fields.size()], kValue));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HashSet)->Arg(1000)->Arg(100000);

// HINCRBY's work on a table hash: read the field, add, write it back.
void BM_HashIncrBy(benchmark::State& state) {
  auto fields = Fields(static_cast<size_t>(state.range(0)));
  std::mt19937_64 rng(2);
  HashValue hash;
  for (const auto& f : fields) hash.Set(f, "0");
  char buf[24];
  for (auto _ : state) {
    const std::string& field = fields[rng() % fields.size()];
    int64_t v = *ParseInt64(*hash.Get(field)) + 1;
    hash.Set(field, std::string_view(buf, FormatInt64(v, buf)));
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_HashIncrBy)->Arg(1000)->Arg(100000);

}  // namespace
}  // namespace ember

BENCHMARK_MAIN();
