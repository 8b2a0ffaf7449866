// The bindings of every modelled subsystem in one table: what `migcheck` and the scenario
// library run litmus files with. The interpreter itself takes its bindings as a parameter.
#pragma once

#include "litmus/bindings.h"

namespace litmus {

const Bindings& model_bindings();  // bindings/all.cc

}  // namespace litmus
