#include "checker/runtime/heap.h"

#include <new>

#include "checker/runtime/execution.h"  // ObjectBase's constructor, for a new block
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

HeapBlock* ModelHeap::new_block() {
  if (nblocks_ == blocks_.size()) {
    blocks_.push_back(std::make_unique<HeapBlock>());
  } else {
    HeapBlock* b = blocks_[nblocks_].get();
    std::destroy_at(b);
    std::construct_at(b);  // its lifetime object registers with this execution
  }
  return blocks_[nblocks_++].get();
}

HeapBlock* ModelHeap::find_block(const void* p) {
  for (size_t i = nblocks_; i-- > 0;)
    if (blocks_[i]->ptr == p) return blocks_[i].get();
  return nullptr;
}

void ModelHeap::reset() {
  for (size_t i = 0; i < nblocks_; ++i)
    if (blocks_[i]->destroy) blocks_[i]->destroy(blocks_[i]->ptr);
  nblocks_ = 0;
  arena_.rewind();
  constructing_ = nullptr;
}

}  // namespace mc
