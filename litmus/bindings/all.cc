// Every subsystem's bindings in one table. A new subsystem adds its filler here.
#include "litmus/bindings/all.h"

namespace litmus {

const Bindings& model_bindings() {
  static const Bindings table = [] {
    Bindings b;
    add_protocol_bindings(b);
    add_balloon_bindings(b);
    add_vmw_balloon_bindings(b);
    add_zsmalloc_bindings(b);
    add_z3fold_bindings(b);
    add_slab_bindings(b);
    add_hmm_bindings(b);
    return b;
  }();
  return table;
}

}  // namespace litmus
