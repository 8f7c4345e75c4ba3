// Micro benchmarks of the collection values' write paths (LPUSH, RPUSH, HSET, HINCRBY on a
// table hash), without the network or the command table: what a change to ListValue or
// HashValue bookkeeping costs per operation. Allocations go through the server's counting
// operator new/delete, as in ember-server.
//
//   build/release/ember-micro-bench --benchmark_repetitions=5 --benchmark_report_aggregates_only
//
// --iterations=N runs every benchmark exactly N times: instruction counts under
// `valgrind --tool=callgrind` then compare two builds exactly, free of this machine's noise.
#include <benchmark/benchmark.h>

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
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

void BM_ListPushFront(benchmark::State& state) {
  auto list = std::make_unique<ListValue>(kDefaultFill);
  for (auto _ : state) {
    list->PushFront(kValue);
    if (list->size() == kListCap) list = std::make_unique<ListValue>(kDefaultFill);
  }
  state.SetItemsProcessed(state.iterations());
}

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

void Register(int64_t iterations) {
  auto add = [&](const char* name, void (*fn)(benchmark::State&), std::vector<int64_t> args) {
    benchmark::internal::Benchmark* b = benchmark::RegisterBenchmark(name, fn);
    for (int64_t arg : args) b->Arg(arg);
    if (iterations > 0) b->Iterations(iterations);
  };
  add("BM_ListPushBack", BM_ListPushBack, {});
  add("BM_ListPushFront", BM_ListPushFront, {});
  add("BM_ListQueue", BM_ListQueue, {});
  add("BM_HashSet", BM_HashSet, {1000, 100000});
  add("BM_HashIncrBy", BM_HashIncrBy, {1000, 100000});
}

}  // namespace
}  // namespace ember

int main(int argc, char** argv) {
  int64_t iterations = 0;
  int kept = 1;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg.starts_with("--iterations=")) {
      iterations = std::stoll(std::string(arg.substr(13)));
    } else {
      argv[kept++] = argv[i];
    }
  }
  argc = kept;
  ember::Register(iterations);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
