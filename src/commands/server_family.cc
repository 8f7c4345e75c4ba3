#include "commands/command.h"

namespace ember {

void RegisterServerCommands(CommandTable& table) { (void)table; }

}  // namespace ember
