// Random small programs over every operation the instrumented layer offers, for comparing
// DPOR with naive exhaustive search: atomics (loads, stores, compare-and-swap that succeeds
// or fails, updates that may leave the value unchanged, release / acquire / full fences,
// non-atomic read-modify-writes), plain data, mutexes and spinlocks (lock, trylock, and
// reads of the lock's state), rwlocks and rw_semaphores (both sides, blocking and trylock, and
// the semaphore's downgrade_write), wait queues (the
// prepare_to_wait / sleep / finish_wait pattern, wake-ups, waitqueue_active), await, the
// model heap (allocation, use and free through a shared pointer), and choose().
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace mctest {

enum class RandomOp : uint8_t {
  kLoad,
  kStore,
  kCas,  // expects 0: fails once the variable changed
  kFetchAdd,
  kFetchOrRelaxed,     // leaves the value unchanged when the bits are set
  kExchangeRelaxed,    // leaves the value unchanged when it already holds it
  kReleaseFenceOr,     // release fence, then a relaxed fetch_or (maybe unchanged)
  kAcquireLoadPlain,   // acquire load, then a plain read of the data it may publish
  kPlainReleaseStore,  // plain write of the data, then a release store
  kFullFenceLoad,      // smp_mb(), then a relaxed load
  kNonatomicRmw,       // load_nonatomic, store_nonatomic (the kernel's __set_bit)
  kLockedUpdate,       // lock, load, store, unlock (alternately a spinlock)
  kTryLock,            // trylock, unlock if taken
  kIsLocked,           // spin_is_locked(): a read of the lock's state
  kReadLocked,         // read_lock, load, read_unlock
  kWriteLocked,        // write_lock, store, write_unlock
  kReadTryLock,        // read_trylock, read_unlock if taken
  kWriteTryLock,       // write_trylock, write_unlock if taken
  kDowngrade,          // down_write, store, downgrade_write, load, up_read (the rw_semaphore)
  kAwait,              // await(x != 1)
  kWaitEvent,          // prepare_to_wait; sleep unless x != 0; finish_wait
  kWakeAll,            // store, then wake_up_all
  kWakeOne,            // store, then wake_up_one
  kQueueActive,        // waitqueue_active()
  kHeapUse,            // read a field of the object the shared pointer names, if any
  kHeapFree,           // take the object out of the shared pointer and free it
  kHeapReplace,        // allocate a new object and publish it, freeing the one it replaces
  kChoose,             // choose(2) between a load and a store
  kCount
};

const char* random_op_name(RandomOp op);

struct RandomProgram {
  struct Op {
    RandomOp kind;
    int var;
    int value;
  };
  std::vector<std::vector<Op>> threads;
  int vars = 2;
};

// 2-3 threads of 1-4 operations over 2-3 variables, every kind equally likely.
RandomProgram generate_program(std::mt19937& rng);
// Runs the program as a model body: every value read and every final value is observed.
void run_program(const RandomProgram& p);
std::string describe(const RandomProgram& p);

}  // namespace mctest
