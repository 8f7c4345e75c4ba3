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

std::string_view AsCString(std::string_view arg) {
  return arg.substr(0, arg.find('\0'));
}

std::string WrongArity(std::string_view command) {
  return "ERR wrong number of arguments for '" + Lower(command) + "' command";
}

std::string UnknownCommand(std::span<const std::string_view> args) {
  // Like Redis: the argument list is capped at about 128 characters in all.
  std::string listed;
  for (size_t i = 1; i < args.size() && listed.size() < 128; ++i) {
    listed += '\'';
    listed.append(AsCString(args[i]).substr(0, 128 - listed.size() + 1));
    listed += "' ";
  }
  return "ERR unknown command '" + std::string(AsCString(args[0]).substr(0, 128)) +
         "', with args beginning with: " + listed;
}

std::string NotInSubscribedMode(std::string_view command) {
  return "ERR Can't execute '" + std::string(command) +
         "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this "
         "context";
}

std::string UnknownSubcommand(std::string_view command, std::string_view sub) {
  std::string upper(command);
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return "ERR unknown subcommand '" + std::string(AsCString(sub).substr(0, 128)) + "'. Try " +
         upper + " HELP.";
}

bool CheckSubcommandArity(std::string_view command, std::string_view sub, int arity, size_t argc,
                          std::string* error) {
  int n = static_cast<int>(argc);
  if ((arity > 0 && n == arity) || (arity < 0 && n >= -arity)) return true;
  *error = WrongArity(Lower(command) + "|" + Lower(sub));
  return false;
}

std::string InvalidExpire(std::string_view command) {
  return "ERR invalid expire time in '" + Lower(command) + "' command";
}

}  // namespace ember::err
