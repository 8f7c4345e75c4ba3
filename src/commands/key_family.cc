#include "commands/command.h"

namespace ember {

void RegisterKeyCommands(CommandTable& table) { (void)table; }

}  // namespace ember
