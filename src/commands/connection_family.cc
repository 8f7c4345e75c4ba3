#include "commands/command.h"

namespace ember {

void RegisterConnectionCommands(CommandTable& table) { (void)table; }

}  // namespace ember
