// LCS key1 key2 [LEN] [IDX] [MINMATCHLEN n] [WITHMATCHLEN]: the longest common subsequence of
// two strings (missing keys are empty), with Redis 7's reply shapes.
#include <cstdint>
#include <string>
#include <vector>

#include "commands/arg_parser.h"
#include "commands/command.h"
#include "commands/errors.h"
#include "common/numbers.h"
#include "engine/engine.h"
#include "types/hash_value.h"

namespace ember {
namespace {

struct Match {
  int64_t a_start, a_end, b_start, b_end;
};

// Reads a string key; false (after replying) when it holds another type.
bool ReadString(CommandContext& ctx, std::string_view key, std::string* out) {
  auto entry = ctx.Db(key).FindForRead(key, ctx.now_ms);
  if (!entry) return true;
  if (entry.record->type() != ValueType::kString) {
    ctx.reply.Error("ERR The specified keys must contain string values");
    return false;
  }
  *out = RecordValueString(entry.record);
  return true;
}

void Lcs(CommandContext& ctx) {
  bool len_only = false, idx = false, with_len = false;
  int64_t min_len = 0;
  ArgParser args(ctx.args, 3);
  while (args.HasNext()) {
    if (args.Eat("LEN")) {
      len_only = true;
    } else if (args.Eat("IDX")) {
      idx = true;
    } else if (args.Eat("WITHMATCHLEN")) {
      with_len = true;
    } else if (args.Eat("MINMATCHLEN") && args.HasNext()) {
      auto n = ParseInt64(args.Next());
      if (!n) return ctx.reply.Error(err::kNotInteger);
      min_len = *n < 0 ? 0 : *n;
    } else {
      return ctx.reply.Error(err::kSyntax);
    }
  }
  std::string a, b;
  if (!ReadString(ctx, ctx.args[1], &a) || !ReadString(ctx, ctx.args[2], &b)) return;
  if (len_only && idx) {
    return ctx.reply.Error("ERR If you want both the length and indexes, please just use IDX.");
  }
  size_t alen = a.size(), blen = b.size();
  if ((alen + 1) * (blen + 1) > (size_t{1} << 31)) {
    return ctx.reply.Error("ERR Insufficient memory, transient memory for LCS exceeds limits");
  }
  // table[i][j]: the LCS length of a[0..i) and b[0..j).
  std::vector<uint32_t> table((alen + 1) * (blen + 1), 0);
  auto at = [&](size_t i, size_t j) -> uint32_t& { return table[i * (blen + 1) + j]; };
  for (size_t i = 1; i <= alen; ++i) {
    for (size_t j = 1; j <= blen; ++j) {
      at(i, j) = a[i - 1] == b[j - 1] ? at(i - 1, j - 1) + 1 : std::max(at(i - 1, j), at(i, j - 1));
    }
  }
  uint32_t total = at(alen, blen);
  if (len_only) return ctx.reply.Integer(total);
  // Walk back from the end: matched characters build the result right to left; runs of
  // adjacent matches in both strings form the IDX ranges (listed from the end, as Redis does).
  std::string result(total, '\0');
  std::vector<Match> matches;
  bool open = false;
  Match run{};
  auto close_run = [&] {
    if (open && run.a_end - run.a_start + 1 >= min_len) matches.push_back(run);
    open = false;
  };
  size_t i = alen, j = blen, pos = total;
  while (i > 0 && j > 0) {
    if (a[i - 1] == b[j - 1]) {
      result[--pos] = a[i - 1];
      auto ai = static_cast<int64_t>(i - 1), bj = static_cast<int64_t>(j - 1);
      if (open && run.a_start == ai + 1 && run.b_start == bj + 1) {
        run.a_start = ai;
        run.b_start = bj;
      } else {
        close_run();
        run = Match{ai, ai, bj, bj};
        open = true;
      }
      --i;
      --j;
    } else {
      close_run();
      if (at(i - 1, j) > at(i, j - 1)) {
        --i;
      } else {
        --j;
      }
    }
  }
  close_run();
  if (!idx) return ctx.reply.Bulk(result);
  ctx.reply.MapHeader(2);
  ctx.reply.Bulk("matches");
  ctx.reply.ArrayHeader(matches.size());
  for (const Match& m : matches) {
    ctx.reply.ArrayHeader(with_len ? 3 : 2);
    ctx.reply.ArrayHeader(2);
    ctx.reply.Integer(m.a_start);
    ctx.reply.Integer(m.a_end);
    ctx.reply.ArrayHeader(2);
    ctx.reply.Integer(m.b_start);
    ctx.reply.Integer(m.b_end);
    if (with_len) ctx.reply.Integer(m.a_end - m.a_start + 1);
  }
  ctx.reply.Bulk("len");
  ctx.reply.Integer(total);
}

}  // namespace

void RegisterLcsCommand(CommandTable& t) {
  CommandGroup g(t, "string", kAclString);
  g.Add(Command("lcs", Lcs)
            .Arity(-3)
            .Flags(kCmdReadOnly)
            .KeyRange(1, 2, 1, kKeyRO | kKeyAccess)
            .Since("7.0.0")
            .Summary("Finds the longest common subsequence of two strings."));
}

}  // namespace ember
