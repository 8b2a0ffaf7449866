#include "protocol/end_state.h"

#include <functional>

namespace proto {

void end_violation(const std::string& msg) { mc::violation("end state", msg); }

namespace {

// The checks common to every owner: each page free or on the owner's list (not both, not
// neither), a free page without references, an owned page with exactly the owner's one,
// unlocked and not isolated, its contents alive. `owned` adds the owner's own checks.
void check_pages_end(Memory& mem, list_head* owner_list, const char* owner,
                     const std::function<void(page*, const std::string&)>& owned) {
  for (int pfn = 0; pfn < mem.nr_pages(); ++pfn) {
    page* p = mem.pfn_to_page(pfn);
    const bool is_free = mem.is_free_peek(pfn);
    const bool on_list = list_contains_peek(owner_list, p);
    const std::string where = "pfn " + std::to_string(pfn) + ": ";
    if (!on_list) continue;  // free, or another owner's: check_zone_end
    mem.claim_peek(pfn, owner);
    if (is_free)
      end_violation(where + "in 2 places (free / " + owner + ")\n" + dump_page(p, "end state"));
    const int ref = p->_refcount.peek();
    if (ref != 1)
      end_violation(where + owner + " page with refcount " + std::to_string(ref) + "\n" +
                    dump_page(p, "end state"));
    if (p->flags.peek() & (bit(PG_locked) | bit(PG_isolated)))
      end_violation(where + owner + " page still locked or isolated\n" + dump_page(p, "end state"));
    owned(p, where);
    mc::expect_alive(p->data);
  }
}

}  // namespace

void check_refdrv_end(Memory& mem, refdrv& d) {
  check_pages_end(mem, &d.pages, "driver", [&](page* p, const std::string& where) {
    if (d.handle.peek() != p) end_violation(where + "driver page without its object");
  });
  if (page* h = d.handle.peek(); h && !list_contains_peek(&d.pages, h))
    end_violation("the object lives in pfn " + std::to_string(h->pfn) +
                  ", not on the driver's list");
}

void check_zone_end(Memory& mem) {
  for (int pfn = 0; pfn < mem.nr_pages(); ++pfn) {
    page* p = mem.pfn_to_page(pfn);
    const std::string where = "pfn " + std::to_string(pfn) + ": ";
    const std::vector<const char*>& owners = mem.claims_peek(pfn);
    if (mem.is_free_peek(pfn)) {
      if (p->_refcount.peek() != 0)
        end_violation(where + "free with a reference\n" + dump_page(p, "end state"));
      continue;
    }
    if (owners.empty()) {
      mc::leak(where + "allocated, and no owner holds it: it never went back to the allocator\n" +
               dump_page(p, "end state"));
    } else if (owners.size() > 1) {
      std::string who;
      for (const char* o : owners) who += std::string(who.empty() ? "" : " / ") + o;
      end_violation(where + "held by " + std::to_string(owners.size()) + " owners (" + who + ")\n" +
                    dump_page(p, "end state"));
    }
  }
}

void check_balloon_end(Memory& mem, virtio_balloon& vb) {
  balloon_dev_info& b = vb.vb_dev_info;
  check_pages_end(mem, &b.pages, "balloon", [&](page* p, const std::string& where) {
    if (p->private_.peek() != reinterpret_cast<unsigned long>(&b))
      end_violation(where + "balloon page without its b_dev_info");
  });
  if (b.isolated_pages.peek() != 0) end_violation("isolated_pages is not 0 at the end");
  if (list_count_peek(&b.pages) != static_cast<int>(vb.num_pages.peek()))
    end_violation("num_pages does not match the balloon list");
  if (vb.removed && list_count_peek(&b.pages) != 0)
    end_violation("virtballoon_remove returned with pages in the balloon");
  // The host holds as inflated exactly the balloon's pages.
  for (int pfn = 0; pfn < mem.nr_pages() && pfn < 32; ++pfn) {
    const bool inflated = vb.host.inflated & (1u << pfn);
    const bool held = list_contains_peek(&b.pages, mem.pfn_to_page(pfn));
    if (inflated && !held)
      end_violation("pfn " + std::to_string(pfn) +
                    ": the host holds it inflated, but the balloon does not hold it");
    if (held && !inflated)
      end_violation("pfn " + std::to_string(pfn) +
                    ": in the balloon, but the host was never told to inflate it");
  }
}

void check_vmballoon_end(Memory& mem, vmballoon& vmb) {
  balloon_dev_info& b = vmb.b_dev_info;
  check_pages_end(mem, &b.pages, "balloon", [&](page* p, const std::string& where) {
    if (p->private_.peek() != reinterpret_cast<unsigned long>(&b))
      end_violation(where + "balloon page without its b_dev_info");
  });
  if (b.isolated_pages.peek() != 0) end_violation("isolated_pages is not 0 at the end");
  if (list_count_peek(&b.pages) != vmb.size.peek())
    end_violation("b->size does not match the balloon list");
  for (int pfn = 0; pfn < mem.nr_pages() && pfn < 32; ++pfn) {
    const bool locked = vmb.host.locked & (1u << pfn);
    const bool held = list_contains_peek(&b.pages, mem.pfn_to_page(pfn));
    if (locked && !held)
      end_violation("pfn " + std::to_string(pfn) +
                    ": the hypervisor holds it ballooned, but the balloon does not hold it");
    if (held && !locked)
      end_violation("pfn " + std::to_string(pfn) +
                    ": in the balloon, but the hypervisor never locked it");
  }
}

}  // namespace proto
