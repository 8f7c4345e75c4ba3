#include "commands/command.h"

namespace ember {

void RegisterStringCommands(CommandTable& table) { (void)table; }

}  // namespace ember
