#pragma once

#include "checker/test.h"

namespace mc {

// Registers classic/*: SB, MP, LB, IRIW, 2+2W, Dekker and Peterson (correct and broken), and
// the DPOR benchmarks readers, lastzero, indexer and lockinc.
void register_classic_programs(Registry& r);

}  // namespace mc
