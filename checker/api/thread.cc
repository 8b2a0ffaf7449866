#include "checker/api/thread.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "checker/report/finding.h"

namespace mc {
void thread::join(std::source_location loc) {
  Execution* ex = Execution::current();
  if (!ex || id_ == kNoThread) return;
  ex->join(id_, loc);
}

uint32_t choose(uint32_t n, std::source_location loc) {
  Execution* ex = Execution::current();
  return ex ? ex->choose(n, loc) : 0;
}

void assume(bool cond) {
  if (Execution* ex = Execution::current()) ex->assume(cond);
}

void observe(const char* name, int64_t value) {
  if (Execution* ex = Execution::current()) ex->observe(name, value);
}

std::string format(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char buf[1024];
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return buf;
}

void violation(const char* name, std::string message, std::source_location loc) {
  Execution* ex = Execution::current();
  if (!ex) throw std::logic_error(std::string(name) + ": " + message);
  ex->fail(ex->violation(name, std::move(message), loc));
}

void warning(const char* name, std::string message, std::source_location loc) {
  Execution* ex = Execution::current();
  if (!ex) throw std::logic_error(std::string(name) + ": " + message);
  ex->fail(ex->violation(name, std::move(message), loc), Execution::kGoesOn);
}

void leak(std::string message, std::source_location loc) {
  Execution* ex = Execution::current();
  if (!ex) throw std::logic_error("leak: " + message);
  ex->fail(ex->finding(FindingKind::kLeak, std::move(message), loc));
}

static void assertion(const char* expr, std::source_location loc, std::string detail) {
  std::string msg = std::string("MC_ASSERT(") + expr + ") failed";
  if (!detail.empty()) msg += ": " + detail;
  Execution* ex = Execution::current();
  if (!ex) throw std::logic_error(msg + " at " + source_where(loc));
  ex->fail(ex->finding(FindingKind::kAssertion, msg, loc));
}

void assert_failed(const char* expr, std::source_location loc) { assertion(expr, loc, ""); }

void assert_failed(const char* expr, std::source_location loc, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char buf[1024];
  std::vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  assertion(expr, loc, buf);
}

void set_thread_name(const char* name) {
  Execution* ex = Execution::current();
  if (ex && ex->self() >= 0 && ex->self() < kMaxThreads) ex->set_thread_name(name);
}

std::string thread_name(ThreadId t) {
  Execution* ex = Execution::current();
  return ex ? ex->thread_label(t) : "T" + std::to_string(t);
}

void set_origin(const void* where, std::string (*describe)(const void*)) {
  Execution* ex = Execution::current();
  if (ex && ex->self() >= 0 && ex->self() < kMaxThreads) ex->set_origin(where, describe);
}

namespace detail {

HeapBlock* begin_alloc(Execution& ex, size_t size, size_t align, const char* type, const char* name,
                       const std::source_location& loc) {
  HeapBlock* b = ex.heap().new_block();
  b->size = size;
  b->type = type;
  b->name = name;
  b->alloc_tid = ex.self();
  b->alloc_loc = loc;
  b->lifetime.owner = nullptr;
  b->ptr = ex.heap().memory(size, align);
  ex.heap().set_constructing(b);
  return b;
}

void end_alloc(Execution& ex, HeapBlock* b, HeapBlock* outer) {
  ex.heap().set_constructing(outer);
  if (ex.history())
    ex.log_invisible(nullptr, OpKind::kAlloc, b->name ? b->name : "object", b->alloc_loc);
}

void free_block(const void* p, const std::source_location& loc) {
  Execution* ex = Execution::current();
  if (!ex || ex->aborting() || !p) return;
  HeapBlock* b = ex->heap().find_block(p);
  if (!b) {
    ex->fail(ex->finding(FindingKind::kDoubleFree,
                         "free of a pointer the model heap never allocated", loc));
    return;
  }
  // Freeing is a write of the block's lifetime: a scheduling point that conflicts with
  // nothing else, so that the report shows where it fell.
  PendingOp op;
  op.kind = OpKind::kFree;
  op.access = Access::kWrite;
  op.obj = &b->lifetime;
  op.loc = loc;
  ex->schedule_point(op);
  const char* what = b->name ? b->name : "object";
  if (b->freed) {
    ex->fail(ex->finding(FindingKind::kDoubleFree,
                         std::string("double free of ") + what + " (first freed by T" +
                             std::to_string(b->free_tid) + " at " + source_where(b->free_loc) + ")",
                         loc));
    // Going on (--all-findings): the second free is an event that changes nothing.
    ex->commit(&b->lifetime, OpKind::kFree, Access::kWrite, Acquire::kNone, loc);
    return;
  }
  const ThreadId me = ex->self();
  const ThreadState& t = ex->thread(me);
  for (int other = 0; other < thread_limit(); ++other) {
    const AccessRecord& r = b->last_access[other];
    if (other == me || r.epoch == 0 || t.sync.at[other] >= r.epoch) continue;
    Finding f = ex->finding(FindingKind::kUseAfterFree,
                            std::string(what) + " freed by T" + std::to_string(me) + " while T" +
                                std::to_string(other) + "'s " + (r.write ? "write" : "read") +
                                " at " + source_where(r.loc) +
                                " is not ordered before the free: in another interleaving it "
                                "comes after it",
                            loc);
    f.other_event = r.detail;
    ex->fail(std::move(f));
    break;  // going on (--all-findings): the free happens
  }
  b->freed = true;
  b->free_tid = me;
  b->free_loc = loc;
  b->free_label_depth = t.label_depth;
  std::copy_n(t.labels, std::min(t.label_depth, kMaxLabels), b->free_labels);
  ex->commit(&b->lifetime, OpKind::kFree, Access::kWrite, Acquire::kNone, loc);
  b->free_detail = -1;
  if (ex->history()) {
    ex->describe_last(&b->lifetime, what, std::memory_order_seq_cst, false);
    b->free_detail = static_cast<int32_t>(ex->details().size()) - 1;
  }
}

}  // namespace detail

void name_address(const void* p, std::string_view name) {
  if (Execution* ex = Execution::current()) ex->name_address(p, name);
}

void expect_alive(const void* p) {
  Execution* ex = Execution::current();
  if (!ex) return;
  if (HeapBlock* b = ex->heap().find_block(p)) b->expected_alive = true;
}

}  // namespace mc
