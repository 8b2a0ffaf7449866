#include "checker/runtime/heap.h"

#include <new>

#include "checker/runtime/sanitizer.h"

#ifdef MC_ASAN
#define MC_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define MC_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
constexpr size_t kRedZone = 32;
#else
#define MC_POISON(p, n) ((void)(p), (void)(n))
#define MC_UNPOISON(p, n) ((void)(p), (void)(n))
constexpr size_t kRedZone = 0;
#endif

namespace mc {

Arena::~Arena() {
  rewind();
  for (std::byte* c : chunks_) {
    MC_UNPOISON(c, kChunk);
    ::operator delete(c, std::align_val_t(kChunkAlign));
  }
}

void* Arena::allocate(size_t size, size_t align) {
  if (size == 0) size = 1;
  if (align > kChunkAlign || size + kRedZone > kChunk / 4) {
    void* p = ::operator new(size, std::align_val_t(align));
    large_.push_back({p, align});
    return p;
  }
  for (;;) {
    if (chunk_ == chunks_.size()) {
      auto* c = static_cast<std::byte*>(::operator new(kChunk, std::align_val_t(kChunkAlign)));
      MC_POISON(c, kChunk);
      chunks_.push_back(c);
    }
    const size_t start = (used_ + align - 1) & ~(align - 1);
    if (start + size + kRedZone <= kChunk) {
      used_ = start + size + kRedZone;
      std::byte* p = chunks_[chunk_] + start;
      MC_UNPOISON(p, size);
      return p;
    }
    ++chunk_;
    used_ = 0;
  }
}

void Arena::rewind() {
  for (size_t i = 0; i < chunks_.size() && i <= chunk_; ++i) MC_POISON(chunks_[i], kChunk);
  chunk_ = 0;
  used_ = 0;
  for (const Large& l : large_) ::operator delete(l.p, std::align_val_t(l.align));
  large_.clear();
}

}  // namespace mc
