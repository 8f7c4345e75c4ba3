#include "commands/scan_options.h"

#include "commands/arg_parser.h"
#include "commands/errors.h"
#include "common/numbers.h"

namespace ember {

bool ParseScanOptions(CommandContext& ctx, size_t first, bool allow_type, ScanOptions* out) {
  ArgParser args(ctx.args, first);
  while (args.HasNext()) {
    if (args.remaining() >= 2 && args.Eat("COUNT")) {
      auto n = ParseInt64(args.Next());
      if (!n) {
        ctx.reply.Error(err::kNotInteger);
        return false;
      }
      if (*n < 1) {
        ctx.reply.Error(err::kSyntax);
        return false;
      }
      out->count = static_cast<size_t>(*n);
    } else if (args.remaining() >= 2 && args.Eat("MATCH")) {
      out->pattern = args.Next();
    } else if (allow_type && args.remaining() >= 2 && args.Eat("TYPE")) {
      out->type = args.Next();
    } else {
      ctx.reply.Error(err::kSyntax);
      return false;
    }
  }
  if (out->pattern == "*") out->pattern = {};
  return true;
}

void ReplyScan(CommandContext& ctx, uint64_t cursor, const std::vector<std::string>& items) {
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(std::to_string(cursor));
  ctx.reply.ArrayHeader(items.size());
  for (const std::string& item : items) ctx.reply.Bulk(item);
}

}  // namespace ember
