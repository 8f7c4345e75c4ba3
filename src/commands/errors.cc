#include "commands/errors.h"

#include <algorithm>
#include <cctype>

namespace ember::err {

namespace {
std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}
}  // namespace

std::string WrongArity(std::string_view command) {
  return "ERR wrong number of arguments for '" + Lower(command) + "' command";
}

std::string UnknownCommand(std::span<const std::string_view> args) {
  std::string msg = "ERR unknown command '";
  msg.append(args[0].substr(0, 128));
  msg += "', with args beginning with: ";
  for (size_t i = 1; i < args.size() && msg.size() < 128; ++i) {
    msg += '\'';
    msg.append(args[i].substr(0, 128 - std::min<size_t>(128, msg.size())));
    msg += "' ";
  }
  return msg;
}

std::string UnknownSubcommand(std::string_view command, std::string_view sub) {
  std::string upper(command);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return "ERR unknown subcommand '" + std::string(sub.substr(0, 128)) + "'. Try " + upper +
         " HELP.";
}

std::string InvalidExpire(std::string_view command) {
  return "ERR invalid expire time in '" + Lower(command) + "' command";
}

}  // namespace ember::err
