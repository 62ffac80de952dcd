#pragma once
// The pickle opcodes by byte value, with the names Python's pickletools gives them: how the restricted
// unpickler (torch_pickle.hpp) names an opcode it refuses or that runs out of input, so a message says
// "INST" rather than only "0x69".
namespace rankme {

// pickletools' name of `opcode` ("MARK", "BINPERSID", ...) for every opcode of protocols 0 to 5, those the
// unpickler runs and those it refuses; nullptr for a byte that is no pickle opcode.
const char* pickle_opcode_name(unsigned char opcode);

}  // namespace rankme
